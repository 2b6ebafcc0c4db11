// Node >= 23 removed util.isNullOrUndefined / util.isArray, which tfjs-node 4.22 calls (tfjs#8609).
// Simulate that Node here and check that loading through our loader still works.
import { createRequire } from 'node:module';
import util from 'node:util';
import { describe, expect, it } from 'vitest';
import { installUtilShims, loadBackend, UTIL_SHIMS } from '../../../main/backend/index.js';
import { nativeBuilt } from './helpers.js';

const require = createRequire(import.meta.url);
const u = util as unknown as Record<string, unknown>;

describe('util shims', () => {
  it('adds nothing when node:util still has the functions', () => {
    const saved = { isNullOrUndefined: u.isNullOrUndefined, isArray: u.isArray };
    if (typeof saved.isNullOrUndefined === 'function' && typeof saved.isArray === 'function') {
      expect(installUtilShims()).toEqual([]);
      expect(u.isNullOrUndefined).toBe(saved.isNullOrUndefined);
    }
  });

  it('shims behave like the removed functions', () => {
    expect(UTIL_SHIMS.isNullOrUndefined(null)).toBe(true);
    expect(UTIL_SHIMS.isNullOrUndefined(undefined)).toBe(true);
    expect(UTIL_SHIMS.isNullOrUndefined(0)).toBe(false);
    expect(UTIL_SHIMS.isNullOrUndefined('')).toBe(false);
    expect(UTIL_SHIMS.isArray([])).toBe(true);
    expect(UTIL_SHIMS.isArray({ length: 0 })).toBe(false);
  });

  it.runIf(nativeBuilt())('tfjs-node breaks without them and works through loadBackend', async () => {
    delete u.isNullOrUndefined;
    delete u.isArray;
    expect(typeof u.isNullOrUndefined).toBe('undefined');

    // Plain tfjs-node on a "Node 23" util: every op fails.
    const raw = require('@tensorflow/tfjs-node') as typeof import('@tensorflow/tfjs');
    await raw.setBackend('tensorflow');
    expect(() => raw.add(raw.scalar(1), raw.scalar(2))).toThrow(/isNullOrUndefined\) is not a function/);

    // Through our loader: the shims go in first and everything works.
    const b = await loadBackend({ prefer: 'tensorflow' });
    expect(b.name).toBe('tensorflow');
    expect(u.isNullOrUndefined).toBe(UTIL_SHIMS.isNullOrUndefined);
    expect(u.isArray).toBe(UTIL_SHIMS.isArray);
    const { tf } = b;
    expect(tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0]).toBe(3);
    // TopK calls isNullOrUndefined for k and sorted; concat passes tensor lists (isArray).
    const { values, indices } = tf.topk(tf.tensor1d([3, 1, 4, 1, 5]), 2);
    expect(Array.from(values.dataSync())).toEqual([5, 4]);
    expect(Array.from(indices.dataSync())).toEqual([4, 2]);
    expect(Array.from(tf.concat([tf.tensor1d([1]), tf.tensor1d([2])]).dataSync())).toEqual([1, 2]);
    const model = tf.sequential({
      layers: [tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 2 }), tf.layers.flatten(), tf.layers.dense({ units: 1 })],
    });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const loss = await model.trainOnBatch(tf.ones([2, 4, 4, 1]), tf.ones([2, 1]));
    expect(Number.isFinite(loss as number)).toBe(true);
  });
});
