/**
 * The CIFAR-10 / CIFAR-100 binary record format. Each record is the label byte(s) then 3072 pixel bytes:
 * 1024 red, 1024 green, 1024 blue, each plane row-major. Decoded here into HWC uint8.
 */
import { DatasetError, type ImageSet } from './dataset.js';

export const SIDE = 32;
const PIXELS = SIDE * SIDE;
export const PIXEL_BYTES = PIXELS * 3;
/** Records in each official batch file; fewer means the file was cut short. */
const OFFICIAL_RECORDS = 10000;

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

/** The number of records in a batch file of `byteLength` bytes; a size that cannot be right is an error. */
export function batchRecords(byteLength: number, file: string, v: CifarVariant): number {
  const recordBytes = v.labelBytes + PIXEL_BYTES;
  const count = Math.floor(byteLength / recordBytes);
  const extra = byteLength % recordBytes;
  if (byteLength === 0) throw new DatasetError(`${file}: the batch file is empty (0 bytes)`, file);
  if (extra !== 0) {
    const other = v.labelBytes === 1 ? 3074 : 3073;
    const hint =
      byteLength % other === 0
        ? ` It is a whole number of ${other}-byte records: is it a ${v.labelBytes === 1 ? 'CIFAR-100' : 'CIFAR-10'} file?`
        : '';
    if (count < OFFICIAL_RECORDS && !hint) {
      throw new DatasetError(
        `${file}: the batch file is truncated: record ${count} has only ${extra} of its ${recordBytes} bytes (${byteLength} bytes in all)`,
        file,
        count,
      );
    }
    throw new DatasetError(
      `${file}: wrong size for a ${v.kind === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100'} batch file: ${byteLength} bytes is not a whole number of ${recordBytes}-byte records.${hint}`,
      file,
      count,
    );
  }
  return count;
}

/** Decodes the records of `raw` into `into`, from image `at` on, checking every label. */
export function decodeRecords(raw: Uint8Array, file: string, v: CifarVariant, into: ImageSet, at: number): number {
  const recordBytes = v.labelBytes + PIXEL_BYTES;
  const count = batchRecords(raw.length, file, v);
  const { images, labels } = into;
  for (let r = 0; r < count; r++) {
    const base = r * recordBytes;
    const label = raw[base + v.labelOffset];
    if (label >= v.numClasses) {
      throw new DatasetError(
        `${file}: record ${r} has label ${label}, outside 0..${v.numClasses - 1}; the file is corrupt or not ${v.kind}`,
        file,
        r,
      );
    }
    labels[at + r] = label;
    const px = base + v.labelBytes;
    const out = (at + r) * PIXEL_BYTES;
    for (let p = 0; p < PIXELS; p++) {
      images[out + p * 3] = raw[px + p];
      images[out + p * 3 + 1] = raw[px + PIXELS + p];
      images[out + p * 3 + 2] = raw[px + 2 * PIXELS + p];
    }
  }
  return count;
}

/** Turns one batch file's bytes into HWC images and labels, checking its size and every label. */
export function parseCifarBatch(raw: Uint8Array, file: string, v: CifarVariant): ImageSet {
  const count = batchRecords(raw.length, file, v);
  const set = { images: new Uint8Array(count * PIXEL_BYTES), labels: new Uint16Array(count), count };
  decodeRecords(raw, file, v, set, 0);
  return set;
}
