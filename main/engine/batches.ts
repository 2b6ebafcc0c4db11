/** Builds input tensors from uint8 pixels, normalizing to 0..1 one batch at a time. */
import { imageSize, type Subset } from '../data/dataset.js';
import type { TF, Tensor } from './tf-types.js';

export interface Batch {
  xs: Tensor;
  ys: Tensor;
}

/**
 * Gathers `indices` (positions within `subset.indices`) into a float batch. The gather happens in JS on
 * bytes (4x less memory traffic than floats), the scaling in TensorFlow.
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
  return tf.tidy(() => {
    const xs = tf
      .tensor4d(pixels, [n, ...shape], 'int32')
      .toFloat()
      .div(255);
    const ids = tf.tensor1d(labels, 'int32');
    const ys = sparse ? ids.toFloat().reshape([n, 1]) : tf.oneHot(ids, numClasses).toFloat();
    return { xs, ys };
  });
}
