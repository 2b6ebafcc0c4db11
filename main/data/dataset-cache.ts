/**
 * A cache of decoded image folders under `${XDG_CACHE_HOME:-~/.cache}/layerbench/datasets/`, so the second
 * import of tens of thousands of files reads one file instead of decoding them all again. The key hashes
 * every image's path, size and modification time plus the decode settings: any change is a miss. Files are
 * written to a temporary name and renamed, so a crash never leaves a half-written entry to be read later.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Dataset, ImageSet } from './dataset.js';

const MAGIC = 'LBDS1\n';
const FORMAT_VERSION = 1;

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
  const file = path.join(dir, `${key}.lbds`);
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  try {
    await writeFile(tmp, Buffer.concat([Buffer.from(MAGIC), len, json, ...setBytes(train), ...(test ? setBytes(test) : [])]));
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return file;
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
  let buf: Buffer;
  try {
    buf = await readFile(path.join(datasetCacheDir(), `${key}.lbds`));
  } catch {
    return undefined;
  }
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
