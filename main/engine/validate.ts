/** Validation loss and accuracy over a subset, in chunks so memory stays flat on big sets. */
import type { Subset } from '../data/dataset.js';
import { makeBatch } from './batches.js';
import type { LayersModel, TF } from './tf-types.js';

const CHUNK = 256;

export async function evaluateSubset(
  tf: TF,
  model: LayersModel,
  subset: Subset,
  shape: [number, number, number],
  numClasses: number,
): Promise<{ loss: number; accuracy: number }> {
  const n = subset.indices.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    const { xs, ys } = makeBatch(tf, subset, order, start, end, shape, numClasses, false);
    const [l, c] = tf.tidy(() => {
      const probs = model.predict(xs) as ReturnType<TF['tensor']>;
      const loss = tf.metrics.categoricalCrossentropy(ys, probs).sum();
      const hits = tf.equal(tf.argMax(probs, -1), tf.argMax(ys, -1)).sum();
      return [loss, hits];
    });
    lossSum += (await l.data())[0];
    correct += (await c.data())[0];
    tf.dispose([xs, ys, l, c]);
  }
  return { loss: lossSum / n, accuracy: correct / n };
}
