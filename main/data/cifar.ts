/**
 * CIFAR-10 and CIFAR-100 in their official binary form: the archive as distributed (`cifar-10-binary.tar.gz`,
 * `cifar-100-binary.tar.gz`), its extracted folder, or a single batch file. The training set is allocated
 * once at its final size and each batch decoded straight into it, so memory ends at 3072 bytes per image.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { batchRecords, decodeRecords, PIXEL_BYTES, SIDE, type CifarVariant } from './cifar-format.js';
import { DatasetError, type Dataset, type ImageSet } from './dataset.js';
import { readTar } from './tar-reader.js';

export { CIFAR10, cifar100, parseCifarBatch, type CifarVariant } from './cifar-format.js';

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

function classNamesFrom(meta: Buffer | undefined, v: CifarVariant): string[] {
  const names = meta
    ?.toString('utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (names && names.length === v.numClasses) return names;
  if (v.kind === 'cifar10') return CIFAR10_CLASSES;
  return Array.from({ length: v.numClasses }, (_, i) => String(i));
}

/** CIFAR-100's train.bin, the largest official file, is 153.7 MB (50,000 records of 3,074 bytes). */
const MAX_BATCH_BYTES = 200 * 1024 * 1024;

/** Batch files by base name, wherever they sit (the archives put them in one top folder). */
type Files = Map<string, { file: string; size: number; data: () => Promise<Buffer> }>;

function wanted(v: CifarVariant, base: string): boolean {
  return v.trainFiles.test(base) || base === v.testFile || base === v.metaFile;
}

async function filesFromArchive(archive: string, v: CifarVariant, signal?: AbortSignal): Promise<Files> {
  const tar = await readTar(archive, (name) => wanted(v, path.posix.basename(name)), {
    maxFileBytes: MAX_BATCH_BYTES,
    ...(signal ? { signal } : {}),
  });
  const files: Files = new Map();
  for (const [name, data] of tar.files) {
    // Hand each entry out once and forget it, so its bytes can be freed as soon as it is decoded.
    files.set(path.posix.basename(name), {
      file: `${archive}:${name}`,
      size: data.length,
      data: async () => (tar.files.delete(name), data),
    });
  }
  const hasBatches = [...files.keys()].some((b) => v.trainFiles.test(b) || b === v.testFile);
  if (!hasBatches) {
    const seen = tar.names.slice(0, 5).join(', ') + (tar.names.length > 5 ? ` and ${tar.names.length - 5} more` : '');
    const expect = v.kind === 'cifar10' ? 'data_batch_1.bin ... data_batch_5.bin or test_batch.bin' : 'train.bin or test.bin';
    throw new DatasetError(
      `${archive}: not a ${v.kind === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100'} binary archive: it holds no ${expect} (it holds ${seen || 'no files'})`,
      archive,
    );
  }
  return files;
}

async function filesFromFolder(dir: string, v: CifarVariant): Promise<Files> {
  const files: Files = new Map();
  // Accept the extracted folder itself or the folder it was extracted into.
  for (const candidate of [dir, path.join(dir, v.kind === 'cifar10' ? 'cifar-10-batches-bin' : 'cifar-100-binary')]) {
    let entries: string[];
    try {
      entries = await readdir(candidate);
    } catch {
      continue;
    }
    for (const base of entries.filter((b) => wanted(v, b))) {
      const file = path.join(candidate, base);
      files.set(base, { file, size: await sizeOf(file), data: () => readBatch(file) });
    }
    if (files.size > 0) return files;
  }
  const expect = v.kind === 'cifar10' ? 'data_batch_1.bin ... data_batch_5.bin, test_batch.bin' : 'train.bin, test.bin';
  throw new DatasetError(`${dir}: no ${v.kind === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100'} batch files found here (expected ${expect})`, dir);
}

function unreadable(file: string, e: unknown): DatasetError {
  return new DatasetError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, file);
}

async function sizeOf(file: string): Promise<number> {
  let info;
  try {
    info = await stat(file);
  } catch (e) {
    throw unreadable(file, e);
  }
  if (!info.isFile()) throw new DatasetError(`${file}: is a folder or device, not a batch file`, file);
  return info.size;
}

/** Reads the batch files into one set allocated at its final size: no per-file copies to concatenate. */
async function readSet(entries: { file: string; size: number; data: () => Promise<Buffer> }[], v: CifarVariant): Promise<ImageSet> {
  const counts = entries.map((e) => batchRecords(e.size, e.file, v));
  const count = counts.reduce((a, b) => a + b, 0);
  const set: ImageSet = { images: new Uint8Array(count * PIXEL_BYTES), labels: new Uint16Array(count), count };
  let at = 0;
  for (const [k, entry] of entries.entries()) {
    const raw = await entry.data();
    if (raw.length !== entry.size) throw new DatasetError(`${entry.file}: the file changed while it was being read`, entry.file);
    at += decodeRecords(raw, entry.file, v, set, at);
    if (at !== counts.slice(0, k + 1).reduce((a, b) => a + b, 0)) throw new Error('CIFAR record count mismatch');
  }
  return set;
}

async function readBatch(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    throw unreadable(file, e);
  }
}

export async function loadCifar(location: string, v: CifarVariant, signal?: AbortSignal): Promise<Dataset> {
  let info;
  try {
    info = await stat(location);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DatasetError(`${location}: ${code === 'ENOENT' ? 'no such file or folder' : `cannot be read (${code})`}`, location);
  }
  if (!info.isDirectory() && !info.isFile()) {
    throw new DatasetError(
      `${location}: not a regular file or folder (a device, pipe or socket); give the archive, its folder or a batch file`,
      location,
    );
  }
  let files: Files;
  if (info.isDirectory()) files = await filesFromFolder(location, v);
  else if (/\.bin$/i.test(location)) {
    // A single batch file on its own becomes the training set.
    const single = { file: location, size: info.size, data: () => readBatch(location) };
    files = new Map([[v.kind === 'cifar10' ? 'data_batch_1.bin' : 'train.bin', single]]);
  } else files = await filesFromArchive(location, v, signal);

  const trainNames = [...files.keys()]
    .filter((b) => v.trainFiles.test(b))
    .sort((a, b) => Number(/\d+/.exec(a)?.[0] ?? 0) - Number(/\d+/.exec(b)?.[0] ?? 0));
  if (trainNames.length === 0)
    throw new DatasetError(`${location}: no training batch files found (only ${[...files.keys()].join(', ')})`, location);
  const train = await readSet(
    trainNames.map((b) => files.get(b)!),
    v,
  );
  const testEntry = files.get(v.testFile);
  const test = testEntry ? await readSet([testEntry], v) : undefined;
  const metaEntry = files.get(v.metaFile);
  const classNames = classNamesFrom(metaEntry ? await metaEntry.data() : undefined, v);
  const counts = (set: ImageSet) => {
    const c = new Array<number>(v.numClasses).fill(0);
    for (const l of set.labels) c[l]++;
    return c;
  };
  const countsPerClass = counts(train);
  const warnings = classNames.filter((_, i) => countsPerClass[i] === 0).map((n) => `class "${n}" has no training images in ${location}`);
  const title = v.kind === 'cifar10' ? 'CIFAR-10' : `CIFAR-100 (${v.numClasses === 20 ? 'coarse' : 'fine'} labels)`;
  return {
    id: `${v.kind}:${location}`,
    name: `${title}, ${train.count.toLocaleString('en-US')} training images`,
    inputShape: [SIDE, SIDE, 3],
    classNames,
    train,
    ...(test ? { test } : {}),
    source: path.resolve(location),
    report: {
      skipped: [],
      skippedCount: 0,
      skippedByReason: {},
      countsPerClass,
      ...(test ? { testCountsPerClass: counts(test) } : {}),
      warnings,
    },
  };
}
