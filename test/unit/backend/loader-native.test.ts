// With native TensorFlow installed (scripts/native/setup.sh), loadBackend() must pick it.
import { describe, expect, it } from 'vitest';
import { loadBackend } from '../../../main/backend/index.js';
import { nativeBuilt } from './helpers.js';

describe.runIf(nativeBuilt())('loadBackend with native TensorFlow built', () => {
  it('returns the native tensorflow backend, once per process', async () => {
    delete process.env.LAYERBENCH_BACKEND;
    const b = await loadBackend();
    expect(b.name).toBe('tensorflow');
    expect(b.native).toBe(true);
    expect(b.detail).toMatch(/^native TensorFlow \d+\.\d+\.\d+ \(/);
    expect(b.nativeError).toBeUndefined();
    expect(b.tf.getBackend()).toBe('tensorflow');
    if (b.stringTensors) expect(b.warning).toBeUndefined();
    else expect(b.warning).toMatch(/string tensors/);
    // Cached: a second call (even with another preference) gives the same backend.
    expect(await loadBackend({ prefer: 'cpu' })).toBe(b);
    expect(b.tf.getBackend()).toBe('tensorflow');
  });

  it('trains a small conv net natively', async () => {
    const { tf } = await loadBackend();
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
        tf.layers.batchNormalization(),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy' });
    const n = 32;
    const xs = tf.tidy(() => {
      const base = tf.randomUniform([n, 8, 8, 1], 0, 0.2, 'float32', 1);
      const shift = tf.tensor1d(Array.from({ length: n }, (_, i) => (i % 2) * 0.8)).reshape([n, 1, 1, 1]);
      return base.add(shift);
    });
    const ys = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: n }, (_, i) => i % 2),
        'int32',
      ),
      2,
    );
    const h = await model.fit(xs, ys, { epochs: 20, batchSize: 16, verbose: 0 });
    const loss = h.history.loss as number[];
    expect(tf.getBackend()).toBe('tensorflow');
    expect(loss.at(-1)!).toBeLessThan(loss[0]! * 0.5);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});

describe.skipIf(nativeBuilt())('loadBackend without native TensorFlow', () => {
  it('falls back and says why', async () => {
    delete process.env.LAYERBENCH_BACKEND;
    const b = await loadBackend();
    expect(b.native).toBe(false);
    expect(b.warning).toMatch(/did not load/);
  });
});
