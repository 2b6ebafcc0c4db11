/**
 * CIFAR-10 and CIFAR-100 in their official binary form: the archive as distributed (`cifar-10-binary.tar.gz`,
 * `cifar-100-binary.tar.gz`), its extracted folder, or a single batch file. Each record is the label byte(s)
 * then 3072 pixel bytes: 1024 red, 1024 green, 1024 blue, each row-major; here they become HWC uint8.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DatasetError, type Dataset, type ImageSet } from './dataset.js';
import { readTar } from './tar-reader.js';

const SIDE = 32;
const PIXELS = SIDE * SIDE;
const PIXEL_BYTES = PIXELS * 3;
/** Records in each official batch file; fewer means the file was cut short. */
const OFFICIAL_RECORDS = 10000;

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

export interface CifarVariant {
  kind: 'cifar10' | 'cifar100';
  /** Label bytes in each record: 1 for CIFAR-10, 2 (coarse, fine) for CIFAR-100. */
  labelBytes: 1 | 2;
  /** Which label byte is the class. */
  labelOffset: 0 | 1;
  numClasses: number;
  trainFiles: RegExp;
  testFile: string;
  metaFile: string;
}

export const CIFAR10: CifarVariant = {
  kind: 'cifar10',
  labelBytes: 1,
  labelOffset: 0,
  numClasses: 10,
  trainFiles: /^data_batch_(\d+)\.bin$/,
  testFile: 'test_batch.bin',
  metaFile: 'batches.meta.txt',
};

export function cifar100(labels: 'fine' | 'coarse'): CifarVariant {
  return {
    kind: 'cifar100',
    labelBytes: 2,
    labelOffset: labels === 'coarse' ? 0 : 1,
    numClasses: labels === 'coarse' ? 20 : 100,
    trainFiles: /^train\.bin$/,
    testFile: 'test.bin',
    metaFile: labels === 'coarse' ? 'coarse_label_names.txt' : 'fine_label_names.txt',
  };
}

/** Turns one batch file's bytes into HWC images and labels, checking its size and every label. */
export function parseCifarBatch(raw: Uint8Array, file: string, v: CifarVariant): ImageSet {
  const recordBytes = v.labelBytes + PIXEL_BYTES;
  const count = Math.floor(raw.length / recordBytes);
  const extra = raw.length % recordBytes;
  if (raw.length === 0) throw new DatasetError(`${file}: the batch file is empty (0 bytes)`, file);
  if (extra !== 0) {
    const other = v.labelBytes === 1 ? 3074 : 3073;
    const hint = raw.length % other === 0 ? ` It is a whole number of ${other}-byte records: is it a ${v.labelBytes === 1 ? 'CIFAR-100' : 'CIFAR-10'} file?` : '';
    if (count < OFFICIAL_RECORDS && !hint) {
      throw new DatasetError(
        `${file}: the batch file is truncated: record ${count} has only ${extra} of its ${recordBytes} bytes (${raw.length} bytes in all)`,
        file,
        count,
      );
    }
    throw new DatasetError(
      `${file}: wrong size for a ${v.kind === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100'} batch file: ${raw.length} bytes is not a whole number of ${recordBytes}-byte records.${hint}`,
      file,
      count,
    );
  }
  const images = new Uint8Array(count * PIXEL_BYTES);
  const labels = new Uint16Array(count);
  for (let r = 0; r < count; r++) {
    const base = r * recordBytes;
    const label = raw[base + v.labelOffset];
    if (label >= v.numClasses) {
      throw new DatasetError(`${file}: record ${r} has label ${label}, outside 0..${v.numClasses - 1}; the file is corrupt or not ${v.kind}`, file, r);
    }
    labels[r] = label;
    const px = base + v.labelBytes;
    const out = r * PIXEL_BYTES;
    for (let p = 0; p < PIXELS; p++) {
      images[out + p * 3] = raw[px + p];
      images[out + p * 3 + 1] = raw[px + PIXELS + p];
      images[out + p * 3 + 2] = raw[px + 2 * PIXELS + p];
    }
  }
  return { images, labels, count };
}

function concatSets(sets: ImageSet[]): ImageSet {
  if (sets.length === 1) return sets[0];
  const count = sets.reduce((n, s) => n + s.count, 0);
  const images = new Uint8Array(count * PIXEL_BYTES);
  const labels = new Uint16Array(count);
  let at = 0;
  for (const s of sets) {
    images.set(s.images, at * PIXEL_BYTES);
    labels.set(s.labels, at);
    at += s.count;
  }
  return { images, labels, count };
}

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

/** Batch files by base name, wherever they sit (the archives put them in one top folder). */
type Files = Map<string, { file: string; data: () => Promise<Buffer> }>;

function wanted(v: CifarVariant, base: string): boolean {
  return v.trainFiles.test(base) || base === v.testFile || base === v.metaFile;
}

async function filesFromArchive(archive: string, v: CifarVariant): Promise<Files> {
  const tar = await readTar(archive, (name) => wanted(v, path.posix.basename(name)));
  const files: Files = new Map();
  for (const [name, data] of tar.files) files.set(path.posix.basename(name), { file: `${archive}:${name}`, data: async () => data });
  const hasBatches = [...files.keys()].some((b) => v.trainFiles.test(b) || b === v.testFile);
  if (!hasBatches) {
    const seen = tar.names.slice(0, 5).join(', ') + (tar.names.length > 5 ? ` and ${tar.names.length - 5} more` : '');
    const expect = v.kind === 'cifar10' ? 'data_batch_1.bin ... data_batch_5.bin or test_batch.bin' : 'train.bin or test.bin';
    throw new DatasetError(`${archive}: not a ${v.kind === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100'} binary archive: it holds no ${expect} (it holds ${seen || 'no files'})`, archive);
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
      files.set(base, { file, data: () => readBatch(file) });
    }
    if (files.size > 0) return files;
  }
  const expect = v.kind === 'cifar10' ? 'data_batch_1.bin ... data_batch_5.bin, test_batch.bin' : 'train.bin, test.bin';
  throw new DatasetError(`${dir}: no ${v.kind === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100'} batch files found here (expected ${expect})`, dir);
}

async function readBatch(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    throw new DatasetError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, file);
  }
}

export async function loadCifar(location: string, v: CifarVariant): Promise<Dataset> {
  let info;
  try {
    info = await stat(location);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DatasetError(`${location}: ${code === 'ENOENT' ? 'no such file or folder' : `cannot be read (${code})`}`, location);
  }
  let files: Files;
  if (info.isDirectory()) files = await filesFromFolder(location, v);
  else if (/\.bin$/i.test(location)) {
    // A single batch file on its own becomes the training set.
    files = new Map([[v.kind === 'cifar10' ? 'data_batch_1.bin' : 'train.bin', { file: location, data: () => readBatch(location) }]]);
  }
  else files = await filesFromArchive(location, v);

  const trainNames = [...files.keys()]
    .filter((b) => v.trainFiles.test(b))
    .sort((a, b) => Number(/\d+/.exec(a)?.[0] ?? 0) - Number(/\d+/.exec(b)?.[0] ?? 0));
  if (trainNames.length === 0) throw new DatasetError(`${location}: no training batch files found (only ${[...files.keys()].join(', ')})`, location);
  const trainSets: ImageSet[] = [];
  for (const base of trainNames) {
    const entry = files.get(base)!;
    trainSets.push(parseCifarBatch(await entry.data(), entry.file, v));
  }
  const train = concatSets(trainSets);
  trainSets.length = 0;
  const testEntry = files.get(v.testFile);
  const test = testEntry ? parseCifarBatch(await testEntry.data(), testEntry.file, v) : undefined;
  const metaEntry = files.get(v.metaFile);
  const classNames = classNamesFrom(metaEntry ? await metaEntry.data() : undefined, v);
  const counts = (set: ImageSet) => {
    const c = new Array<number>(v.numClasses).fill(0);
    for (const l of set.labels) c[l]++;
    return c;
  };
  const countsPerClass = counts(train);
  const warnings = classNames
    .filter((_, i) => countsPerClass[i] === 0)
    .map((n) => `class "${n}" has no training images in ${location}`);
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
