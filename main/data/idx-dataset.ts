/**
 * `idx:` datasets: MNIST, Fashion-MNIST and anything else in their IDX layout. Accepts the folder holding
 * `train-images-idx3-ubyte[.gz]`, `train-labels-idx1-ubyte[.gz]` (and the `t10k-` test pair), or the path
 * of one images file whose labels file sits beside it under the matching name.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { DatasetError, type Dataset, type ImageSet } from './dataset.js';
import { readIdx } from './idx.js';

const IMAGES = /^(.*)images[-.]idx3[-.]ubyte(\.gz)?$/i;

function labelsNameFor(imagesName: string): string {
  return imagesName.replace(/images([-.])idx3/i, 'labels$1idx1');
}

async function findLabels(imagesFile: string): Promise<string> {
  const dir = path.dirname(imagesFile);
  const wanted = labelsNameFor(path.basename(imagesFile)).replace(/\.gz$/i, '');
  const entries = await readdir(dir).catch(() => [] as string[]);
  const match = entries.find((e) => e.replace(/\.gz$/i, '').toLowerCase() === wanted.toLowerCase());
  if (!match) throw new DatasetError(`${imagesFile}: no labels file beside it (expected ${path.join(dir, wanted)}[.gz])`, imagesFile);
  return path.join(dir, match);
}

async function loadPair(imagesFile: string, signal?: AbortSignal): Promise<{ set: ImageSet; shape: [number, number, number] }> {
  const labelsFile = await findLabels(imagesFile);
  const images = await readIdx(imagesFile, signal);
  const labels = await readIdx(labelsFile, signal);
  if (images.dims.length !== 3 && !(images.dims.length === 4 && [1, 3].includes(images.dims[3]))) {
    throw new DatasetError(
      `${imagesFile}: images must be N x height x width (or x 1 or 3 channels), this file is ${images.dims.join('x')}`,
      imagesFile,
    );
  }
  if (labels.dims.length !== 1)
    throw new DatasetError(`${labelsFile}: labels must be one number per image, this file is ${labels.dims.join('x')}`, labelsFile);
  if (labels.dims[0] !== images.dims[0]) {
    throw new DatasetError(`${labelsFile}: ${labels.dims[0]} labels but ${imagesFile} holds ${images.dims[0]} images`, labelsFile);
  }
  const shape: [number, number, number] = [images.dims[1], images.dims[2], images.dims[3] ?? 1];
  return { set: { images: images.data, labels: Uint16Array.from(labels.data), count: images.dims[0] }, shape };
}

async function findImageFiles(location: string): Promise<{ train: string; test?: string }> {
  let info;
  try {
    info = await stat(location);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DatasetError(`${location}: ${code === 'ENOENT' ? 'no such file or folder' : `cannot be read (${code})`}`, location);
  }
  if (info.isFile()) return { train: location };
  if (!info.isDirectory()) {
    throw new DatasetError(
      `${location}: not a regular file or folder (a device, pipe or socket); give an IDX images file or its folder`,
      location,
    );
  }
  const entries = (await readdir(location)).filter((e) => IMAGES.test(e)).sort();
  const train = entries.find((e) => /^train/i.test(e)) ?? entries.find((e) => !/^t10k|^test/i.test(e));
  const test = entries.find((e) => /^(t10k|test)/i.test(e));
  if (!train) {
    throw new DatasetError(
      `${location}: no IDX images file found (expected train-images-idx3-ubyte or train-images-idx3-ubyte.gz)`,
      location,
    );
  }
  return { train: path.join(location, train), ...(test ? { test: path.join(location, test) } : {}) };
}

export async function loadIdxDataset(location: string, signal?: AbortSignal): Promise<Dataset> {
  const files = await findImageFiles(location);
  const train = await loadPair(files.train, signal);
  const test = files.test ? await loadPair(files.test, signal) : undefined;
  if (test && test.shape.join('x') !== train.shape.join('x')) {
    throw new DatasetError(
      `${files.test}: test images are ${test.shape.join('x')} but training images are ${train.shape.join('x')}`,
      files.test,
    );
  }
  let maxLabel = 0;
  for (const set of [train.set, test?.set]) for (const l of set?.labels ?? []) maxLabel = Math.max(maxLabel, l);
  const numClasses = maxLabel + 1;
  const counts = (set: ImageSet) => {
    const c = new Array<number>(numClasses).fill(0);
    for (const l of set.labels) c[l]++;
    return c;
  };
  return {
    id: `idx:${location}`,
    name: `${path.basename(files.train)} (${train.set.count.toLocaleString('en-US')} images)`,
    inputShape: train.shape,
    classNames: Array.from({ length: numClasses }, (_, i) => String(i)),
    train: train.set,
    ...(test ? { test: test.set } : {}),
    source: path.resolve(location),
    report: {
      skipped: [],
      skippedCount: 0,
      skippedByReason: {},
      countsPerClass: counts(train.set),
      ...(test ? { testCountsPerClass: counts(test.set) } : {}),
      warnings: [],
    },
  };
}
