// When native TensorFlow cannot load, the loader falls back to the fastest correct backend and says
// plainly why and how slow that is.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FALLBACK_ORDER, loadBackend, loadBackendUncached, resetBackendForTests } from '../../../main/backend/index.js';

/** A stand-in for tfjs-node that fails the way it does when its addon was never built. */
function brokenNativeModule(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-native-'));
  const file = path.join(dir, 'broken-tfjs-node.cjs');
  fs.writeFileSync(
    file,
    "throw new Error('The Node.js native addon module (tfjs_binding.node) can not be found at path: /nowhere/tfjs_binding.node. \\nPlease run command ...');\n",
  );
  return file;
}

afterEach(() => {
  delete process.env.LAYERBENCH_BACKEND;
  resetBackendForTests();
});

describe('backend fallback', () => {
  it('prefers wasm over cpu (measured faster)', () => {
    expect(FALLBACK_ORDER).toEqual(['wasm', 'cpu']);
  });

  it('falls back to wasm with a warning that quotes the load error and says it is slow', async () => {
    const b = await loadBackendUncached({ nativeModule: brokenNativeModule() });
    expect(b.name).toBe('wasm');
    expect(b.native).toBe(false);
    expect(b.tf.getBackend()).toBe('wasm');
    expect(b.nativeError).toMatch(/tfjs_binding\.node\) can not be found/);
    expect(b.warning).toMatch(/^Native TensorFlow \(@tensorflow\/tfjs-node\) did not load: The Node\.js native addon module/);
    expect(b.warning).toMatch(/roughly 15x slower than with native TensorFlow/);
    expect(b.warning).toMatch(/npm run setup/);
    expect(b.warning).not.toMatch(/\n/); // first line of the error only
    expect(b.detail).toMatch(/wasm/);

    // It really trains a conv net (needs the composed Conv2DBackpropFilter).
    const { tf } = b;
    const model = tf.sequential({
      layers: [
        // Seeded: an unseeded start sometimes fits the target already, and then 30 Adam steps need not lower the loss.
        tf.layers.conv2d({
          inputShape: [6, 6, 1],
          filters: 3,
          kernelSize: 3,
          activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' });
    const x = tf.randomUniform([8, 6, 6, 1], 0, 1, 'float32', 3);
    const y = tf.sum(x, [1, 2, 3]).reshape([8, 1]).div(36);
    const first = (await model.trainOnBatch(x, y)) as number;
    let last = first;
    for (let i = 0; i < 30; i++) last = (await model.trainOnBatch(x, y)) as number;
    expect(last).toBeLessThan(first);
  });

  it('LAYERBENCH_BACKEND=cpu forces the cpu backend, cached for the process', async () => {
    process.env.LAYERBENCH_BACKEND = 'cpu';
    const b = await loadBackend();
    expect(b.name).toBe('cpu');
    expect(b.native).toBe(false);
    expect(b.tf.getBackend()).toBe('cpu');
    expect(b.warning).toBe(
      "Backend 'cpu' was forced by LAYERBENCH_BACKEND; native TensorFlow was not tried. Using the pure-JavaScript cpu backend: " +
        'training convolutional networks is roughly 100x slower than with native TensorFlow. Run `npm run setup` (scripts/native/setup.sh) to install native TensorFlow.',
    );
    expect(await loadBackend({ prefer: 'wasm' })).toBe(b);
  });

  it('prefer: wasm forces wasm', async () => {
    const b = await loadBackend({ prefer: 'wasm' });
    expect(b.name).toBe('wasm');
    expect(b.warning).toMatch(/^Backend 'wasm' was forced by loadBackend\(\{ prefer \}\)/);
  });

  it('rejects an unknown LAYERBENCH_BACKEND', async () => {
    process.env.LAYERBENCH_BACKEND = 'gpu';
    await expect(loadBackend()).rejects.toThrow('LAYERBENCH_BACKEND=gpu is not one of tensorflow, wasm, cpu');
  });

  it('forcing tensorflow when it cannot load rejects with the load error', async () => {
    await expect(loadBackendUncached({ prefer: 'tensorflow', nativeModule: brokenNativeModule() })).rejects.toThrow(
      /asks for native TensorFlow, which did not load: The Node\.js native addon module/,
    );
  });
});
