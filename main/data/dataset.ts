/**
 * In-memory image datasets. Pixels stay uint8 (one byte per value, HWC order) and are normalized batch by
 * batch on the way into TensorFlow, so CIFAR-10's 50,000 training images cost 150 MB, not 600 MB.
 */
import type { ResizeMode } from './image-decode.js';

export interface ImageSet {
  /** count * height * width * channels bytes, image after image, each row-major HWC. */
  images: Uint8Array;
  /** Class index of each image. */
  labels: Uint16Array;
  count: number;
}

export interface Dataset {
  /** How the dataset was named on the command line or in the UI, e.g. `mnist` or `cifar10:/data/cifar`. */
  id: string;
  /** Human name, e.g. "MNIST (bundled, 10,000 digits)". */
  name: string;
  /** [height, width, channels]. */
  inputShape: [number, number, number];
  classNames: string[];
  train: ImageSet;
  /** A separate test set, kept apart from training and validation for final evaluation. */
  test?: ImageSet;
  /** Where the data came from (a file or folder), for the run record. */
  source: string;
  /** How images of another size were brought to inputShape (folder imports); predict decodes new images the same way. */
  resize?: ResizeMode;
  /** What an import found: skipped files and why, images per class, resizing. Absent for bundled data. */
  report?: ImportReport;
}

export interface SkippedFile {
  file: string;
  reason: string;
}

export interface ImportReport {
  /** The first few skipped files with the reason (the full count is skippedCount). */
  skipped: SkippedFile[];
  skippedCount: number;
  /** How many skipped files had each reason, e.g. {"not an image extension": 99000}. */
  skippedByReason: Record<string, number>;
  /** Training images per class, in classNames order. */
  countsPerClass: number[];
  /** Test images per class, where a test set was found. */
  testCountsPerClass?: number[];
  /** Images whose size differed from inputShape and were resized, and how. */
  resized?: { count: number; mode: string };
  /** Things the user should know that did not stop the import (a class with a single image ...). */
  warnings: string[];
  /** True when the decoded pixels came from the dataset cache instead of the image files. */
  fromCache?: boolean;
}

export class DatasetError extends Error {
  constructor(
    message: string,
    /** The file or folder at fault. */
    readonly file?: string,
    /** The record (image) index within the file, where it applies. */
    readonly record?: number,
  ) {
    super(message);
    this.name = 'DatasetError';
  }
}

export function imageSize(shape: [number, number, number]): number {
  return shape[0] * shape[1] * shape[2];
}

/** A view of some images of a set, by index, so splits never copy pixels. */
export interface Subset {
  source: ImageSet;
  indices: Uint32Array;
}

export function allOf(set: ImageSet): Subset {
  const indices = new Uint32Array(set.count);
  for (let i = 0; i < set.count; i++) indices[i] = i;
  return { source: set, indices };
}

export function classCounts(subset: Subset, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const i of subset.indices) counts[subset.source.labels[i]]++;
  return counts;
}
