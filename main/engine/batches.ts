/** Builds input tensors from uint8 pixels, normalizing to 0..1 one batch at a time. */
import { imageSize, type Subset } from '../data/dataset.js';
import type { TF, Tensor } from './tf-types.js';

export interface Batch {
  xs: Tensor;
  ys: Tensor;
}

/**
 * Gathers `indices` (positions within `subset.indices`) into a float batch. The gather happens in JS on
 * bytes (4x less memory traffic than floats).
 */
export function makeBatch(
  tf: TF,
  subset: Subset,
  order: Uint32Array,
  start: number,
  end: number,
  shape: [number, number, number],
  numClasses: number,
  sparse: boolean,
  /** Changes the gathered uint8 pixels in place (training augmentation); validation passes none. */
  augment?: (pixels: Uint8Array, count: number) => void,
): Batch {
  const n = end - start;
  const size = imageSize(shape);
  const pixels = new Uint8Array(n * size);
  const labels = new Int32Array(n);
  const { images, labels: allLabels } = subset.source;
  for (let k = 0; k < n; k++) {
    const image = subset.indices[order[start + k]];
    pixels.set(images.subarray(image * size, (image + 1) * size), k * size);
    labels[k] = allLabels[image];
  }
  augment?.(pixels, n);
  // Scaled and one-hot encoded here rather than by TensorFlow ops: two uploads instead of seven eager
  // ops per batch, and the same float32 values (x / 255 rounded once, as TensorFlow's RealDiv rounds).
  const scaled = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) scaled[i] = pixels[i] / 255;
  const targets = sparse ? Float32Array.from(labels) : new Float32Array(n * numClasses);
  if (!sparse) labels.forEach((label, k) => (targets[k * numClasses + label] = 1));
  return {
    xs: tf.tensor4d(scaled, [n, ...shape], 'float32'),
    ys: tf.tensor2d(targets, [n, sparse ? 1 : numClasses], 'float32'),
  };
}
