import { beforeAll, describe, expect, it } from 'vitest';
import { makeBatch } from '../../../main/engine/batches.js';
import type { EngineBackend, TF } from '../../../main/engine/tf-types.js';
import { testBackend } from '../helpers/backend.js';

let backend: EngineBackend;
let tf: TF;
beforeAll(async () => {
  backend = await testBackend();
  tf = backend.tf;
});

/** Four 8x8x1 images holding every byte value 0..255, labels 3, 0, 2, 1. */
function subset() {
  const images = Uint8Array.from({ length: 256 }, (_, i) => i);
  return { source: { images, labels: Uint16Array.from([3, 0, 2, 1]), count: 4 }, indices: Uint32Array.from([0, 1, 2, 3]) };
}

describe('makeBatch', () => {
  it('scales every byte value to exactly what TensorFlow computes for x / 255, in the given order', async () => {
    const order = Uint32Array.from([2, 0, 3, 1]);
    const { xs, ys } = makeBatch(tf, subset(), order, 1, 4, [8, 8, 1], 4, false);
    expect(xs.shape).toEqual([3, 8, 8, 1]);
    const bytes = [0, 3, 1].flatMap((image) => Array.from({ length: 64 }, (_, p) => image * 64 + p));
    const reference = tf.div(tf.tensor1d(bytes, 'int32').toFloat(), 255);
    expect(Array.from(await xs.data())).toEqual(Array.from(await reference.data()));
    expect(await ys.array()).toEqual([
      [0, 0, 0, 1],
      [0, 1, 0, 0],
      [1, 0, 0, 0],
    ]);
    tf.dispose([xs, ys, reference]);
  });

  it('gives class indices as a column for the sparse loss', async () => {
    const { xs, ys } = makeBatch(tf, subset(), Uint32Array.from([0, 1, 2, 3]), 0, 4, [8, 8, 1], 4, true);
    expect(await ys.array()).toEqual([[3], [0], [2], [1]]);
    expect(ys.dtype).toBe('float32');
    tf.dispose([xs, ys]);
  });
});
