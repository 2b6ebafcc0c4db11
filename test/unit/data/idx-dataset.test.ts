import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../../main/data/registry.js';
import { idxBytes, tempDir } from './fixtures.js';

function mnistFolder(gzip: boolean): { dir: string; images: Uint8Array; labels: Uint8Array } {
  const dir = tempDir();
  const images = Uint8Array.from({ length: 12 * 28 * 28 }, (_, i) => (i * 13) & 0xff);
  const labels = Uint8Array.from({ length: 12 }, (_, i) => i % 10);
  const gz = gzip ? '.gz' : '';
  writeFileSync(path.join(dir, `train-images-idx3-ubyte${gz}`), idxBytes([12, 28, 28], images, gzip));
  writeFileSync(path.join(dir, `train-labels-idx1-ubyte${gz}`), idxBytes([12], labels, gzip));
  writeFileSync(path.join(dir, `t10k-images-idx3-ubyte${gz}`), idxBytes([2, 28, 28], images.subarray(0, 2 * 784), gzip));
  writeFileSync(path.join(dir, `t10k-labels-idx1-ubyte${gz}`), idxBytes([2], labels.subarray(0, 2), gzip));
  return { dir, images, labels };
}

describe('idx: datasets (MNIST, Fashion-MNIST files)', () => {
  it('loads a folder of gzip IDX files with the t10k pair as the test set', async () => {
    const { dir, images, labels } = mnistFolder(true);
    const ds = await loadDataset(`idx:${dir}`);
    expect(ds.inputShape).toEqual([28, 28, 1]);
    expect(ds.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(ds.train.count).toBe(12);
    expect(Buffer.from(ds.train.images).equals(Buffer.from(images))).toBe(true);
    expect([...ds.train.labels]).toEqual([...labels]);
    expect(ds.test?.count).toBe(2);
    expect(ds.train.images.byteLength / ds.train.count).toBe(784);
  });

  it('loads one uncompressed images file, finding its labels beside it', async () => {
    const { dir } = mnistFolder(false);
    const ds = await loadDataset(`idx:${path.join(dir, 't10k-images-idx3-ubyte')}`);
    expect(ds.train.count).toBe(2);
    expect(ds.test).toBeUndefined();
  });

  it('names the file for truncated data, count mismatches and missing labels', async () => {
    const dir = tempDir();
    const img = idxBytes([3, 4, 4], new Uint8Array(48), false);
    writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), img.subarray(0, img.length - 20));
    writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), idxBytes([3], new Uint8Array(3), false));
    await expect(loadDataset(`idx:${dir}`)).rejects.toThrow(/train-images-idx3-ubyte: .*truncated at record 1/);
    writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), img);
    writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), idxBytes([2], new Uint8Array(2), false));
    await expect(loadDataset(`idx:${dir}`)).rejects.toThrow(/train-labels-idx1-ubyte: 2 labels but .* holds 3 images/);
    const lonely = tempDir();
    writeFileSync(path.join(lonely, 'x-images-idx3-ubyte'), img);
    await expect(loadDataset(`idx:${path.join(lonely, 'x-images-idx3-ubyte')}`)).rejects.toThrow(/no labels file beside it/);
    await expect(loadDataset(`idx:${tempDir()}`)).rejects.toThrow(/no IDX images file found/);
    await expect(loadDataset('idx:/nope/train-images-idx3-ubyte')).rejects.toThrow(
      /\/nope\/train-images-idx3-ubyte: no such file or folder/,
    );
  });
});
