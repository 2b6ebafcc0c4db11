/**
 * A cache of decoded image folders under `${XDG_CACHE_HOME:-~/.cache}/layerbench/datasets/`, so the second
 * import of tens of thousands of files reads one file instead of decoding them all again. The key hashes
 * every image's path, size and modification time plus the decode settings: any change is a miss. Files are
 * written to a temporary name and renamed, so a crash never leaves a half-written entry to be read later.
 *
 * Every change to a folder makes a new entry and orphans the old one, so the cache is kept under a size
 * limit (LAYERBENCH_DATASET_CACHE_MB, default 5 GB): after each write, the least recently used entries go
 * first (a hit refreshes an entry's time), never the one just written, and temporary files a crashed
 * import left behind go after an hour.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm, stat, utimes } from 'node:fs/promises';
import { replaceFile, TEMP_MARK } from '../platform/replace-file.js';
import os from 'node:os';
import path from 'node:path';
import type { Dataset, ImageSet } from './dataset.js';

const MAGIC = 'LBDS1\n';
const FORMAT_VERSION = 1;
const ENTRY = '.lbds';
const DEFAULT_LIMIT_MB = 5 * 1024;
const STALE_TEMP_MS = 60 * 60 * 1000;

export function datasetCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'layerbench', 'datasets');
}

export function cacheKey(parts: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify({ v: FORMAT_VERSION, parts }))
    .digest('hex')
    .slice(0, 32);
}

type Stored = Omit<Dataset, 'train' | 'test'> & { trainCount: number; testCount?: number };

function setBytes(set: ImageSet): Buffer[] {
  const labels = Buffer.alloc(set.count * 2);
  for (let i = 0; i < set.count; i++) labels.writeUInt16LE(set.labels[i], i * 2);
  return [Buffer.from(set.images.buffer, set.images.byteOffset, set.images.byteLength), labels];
}

export async function writeCachedDataset(key: string, ds: Dataset): Promise<string> {
  const dir = datasetCacheDir();
  await mkdir(dir, { recursive: true });
  const { train, test, ...rest } = ds;
  const header: Stored = { ...rest, trainCount: train.count, ...(test ? { testCount: test.count } : {}) };
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length);
  const file = path.join(dir, `${key}${ENTRY}`);
  await replaceFile(file, Buffer.concat([Buffer.from(MAGIC), len, json, ...setBytes(train), ...(test ? setBytes(test) : [])]));
  // Pruning is housekeeping: a failure there must not fail the import that just succeeded.
  await pruneDatasetCache({ keep: file }).catch(() => undefined);
  return file;
}

/** The size limit in bytes: LAYERBENCH_DATASET_CACHE_MB (0 keeps only the newest entry), default 5 GB. */
export function datasetCacheLimitBytes(): number {
  const raw = process.env.LAYERBENCH_DATASET_CACHE_MB;
  const mb = raw !== undefined && raw.trim() !== '' && Number.isFinite(Number(raw)) && Number(raw) >= 0 ? Number(raw) : DEFAULT_LIMIT_MB;
  return mb * 1024 * 1024;
}

export interface CacheEntry {
  file: string;
  bytes: number;
  lastUsed: Date;
}

/** The cache's entries, least recently used first. */
export async function datasetCacheEntries(): Promise<CacheEntry[]> {
  return entriesIn(await listCache());
}

async function listCache(): Promise<string[]> {
  return readdir(datasetCacheDir()).catch(() => []);
}

async function entriesIn(names: string[]): Promise<CacheEntry[]> {
  const entries: CacheEntry[] = [];
  for (const name of names.filter((n) => n.endsWith(ENTRY))) {
    const file = path.join(datasetCacheDir(), name);
    // Gone meanwhile: another Layerbench process removed it.
    const st = await stat(file).catch(() => undefined);
    if (st) entries.push({ file, bytes: st.size, lastUsed: st.mtime });
  }
  return entries.sort((a, b) => a.lastUsed.getTime() - b.lastUsed.getTime());
}

/** What an entry holds, from its header alone: the dataset's name and where it came from. */
export async function cacheEntryLabel(file: string): Promise<string | undefined> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const head = Buffer.alloc(MAGIC.length + 4);
    await handle.read(head, 0, head.length, 0);
    if (head.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) return undefined;
    const json = Buffer.alloc(Math.min(head.readUInt32LE(MAGIC.length), 1 << 20));
    await handle.read(json, 0, json.length, head.length);
    const header = JSON.parse(json.toString('utf8')) as Partial<Stored>;
    return header.name && header.source ? `${header.name}, from ${header.source}` : undefined;
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

/**
 * Removes least recently used entries until the cache fits the limit (never `keep`), and temporary files
 * older than an hour (a younger one may be an import writing now). Returns the removed entries.
 */
export async function pruneDatasetCache(opts: { keep?: string; limitBytes?: number } = {}): Promise<CacheEntry[]> {
  const limit = opts.limitBytes ?? datasetCacheLimitBytes();
  const names = await listCache();
  for (const name of names.filter((n) => n.includes(`${ENTRY}${TEMP_MARK}`))) {
    const file = path.join(datasetCacheDir(), name);
    const st = await stat(file).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > STALE_TEMP_MS) await rm(file, { force: true });
  }
  const removed: CacheEntry[] = [];
  const entries = await entriesIn(names);
  let total = entries.reduce((sum, e) => sum + e.bytes, 0);
  for (const entry of entries) {
    if (total <= limit) break;
    if (entry.file === opts.keep) continue;
    await rm(entry.file, { force: true });
    removed.push(entry);
    total -= entry.bytes;
  }
  return removed;
}

/** Deletes every entry (and temporary files over an hour old); returns what was freed. */
export async function clearDatasetCache(): Promise<{ entries: number; bytes: number }> {
  const removed = await pruneDatasetCache({ limitBytes: -1 });
  return { entries: removed.length, bytes: removed.reduce((sum, e) => sum + e.bytes, 0) };
}

function readSet(buf: Buffer, at: number, count: number, size: number): { set: ImageSet; end: number } {
  // Copy out of the file buffer: it is freed, and Uint16Array needs an aligned offset.
  const images = new Uint8Array(buf.subarray(at, at + count * size));
  const labels = new Uint16Array(count);
  const base = at + count * size;
  for (let i = 0; i < count; i++) labels[i] = buf.readUInt16LE(base + i * 2);
  return { set: { images, labels, count }, end: base + count * 2 };
}

/** The cached dataset, or undefined on a miss or a damaged entry (which is then rebuilt). */
export async function readCachedDataset(key: string): Promise<Dataset | undefined> {
  const file = path.join(datasetCacheDir(), `${key}${ENTRY}`);
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch {
    return undefined;
  }
  // A hit makes the entry the most recently used, so pruning removes others first.
  const now = new Date();
  await utimes(file, now, now).catch(() => undefined);
  try {
    if (buf.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) return undefined;
    const jsonLen = buf.readUInt32LE(MAGIC.length);
    const start = MAGIC.length + 4;
    const header = JSON.parse(buf.subarray(start, start + jsonLen).toString('utf8')) as Stored;
    const size = header.inputShape[0] * header.inputShape[1] * header.inputShape[2];
    const train = readSet(buf, start + jsonLen, header.trainCount, size);
    const test = header.testCount !== undefined ? readSet(buf, train.end, header.testCount, size) : undefined;
    if ((test?.end ?? train.end) !== buf.length) return undefined;
    const { trainCount: _t, testCount: _c, ...rest } = header;
    return { ...rest, train: train.set, ...(test ? { test: test.set } : {}) };
  } catch {
    return undefined;
  }
}
