/** Tiny datasets in the formats Layerbench reads, generated on the fly for the exported-script tests. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { mulberry32 } from '../../../common/random.js';

function idx(dims: number[], data: Uint8Array): Uint8Array {
  const header = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  header.setUint8(2, 0x08);
  header.setUint8(3, dims.length);
  dims.forEach((d, i) => header.setUint32(4 + 4 * i, d));
  return Buffer.concat([new Uint8Array(header.buffer), data]);
}

/** Images whose brightness depends on the class, so one epoch can learn something. */
function images(count: number, size: number, classes: number, seed: number): { pixels: Uint8Array; labels: Uint8Array } {
  const random = mulberry32(seed);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % classes);
  const pixels = new Uint8Array(count * size);
  for (let i = 0; i < count; i++)
    for (let j = 0; j < size; j++) pixels[i * size + j] = Math.floor(labels[i] * (200 / classes) + random() * 55);
  return { pixels, labels };
}

/** MNIST layout: gzipped training files, plain t10k test files. */
export async function writeIdxFolder(dir: string, h: number, w: number, classes: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  const train = images(48, h * w, classes, 1);
  const test = images(8, h * w, classes, 2);
  await writeFile(path.join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(idx([48, h, w], train.pixels)));
  await writeFile(path.join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(idx([48], train.labels)));
  await writeFile(path.join(dir, 't10k-images-idx3-ubyte'), idx([8, h, w], test.pixels));
  await writeFile(path.join(dir, 't10k-labels-idx1-ubyte'), idx([8], test.labels));
}

/** CIFAR-10 binary batches: each record a label byte, then the red, green and blue 32x32 planes. */
export async function writeCifarFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [file, count, seed] of [
    ['data_batch_1.bin', 30, 3],
    ['test_batch.bin', 10, 4],
  ] as const) {
    const set = images(count, 3072, 10, seed);
    const records = new Uint8Array(count * 3073);
    for (let i = 0; i < count; i++) {
      records[i * 3073] = set.labels[i];
      records.set(set.pixels.subarray(i * 3072, (i + 1) * 3072), i * 3073 + 1);
    }
    await writeFile(path.join(dir, file), records);
  }
}

/** One sub-folder per class of PNGs sized `w`x`h`, which may differ from the model's input (then resized). */
export async function writeImageFolder(dir: string, classNames: string[], perClass: number, w: number, h: number): Promise<void> {
  for (const [c, name] of classNames.entries()) {
    await mkdir(path.join(dir, name), { recursive: true });
    const set = images(perClass, w * h * 3, classNames.length, 10 + c);
    for (let i = 0; i < perClass; i++) {
      const raw = set.pixels.subarray(i * w * h * 3, (i + 1) * w * h * 3).map((v) => (v + c * 90) % 256);
      await sharp(Buffer.from(raw), { raw: { width: w, height: h, channels: 3 } })
        .png()
        .toFile(path.join(dir, name, `${i}.png`));
    }
  }
}
