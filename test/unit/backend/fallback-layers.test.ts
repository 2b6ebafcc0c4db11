// The wasm fallback (and its training kernels) trains every layer type and activation: a model using each
// takes trainOnBatch steps with a finite loss that moves its weights.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayerSpec, ModelSpec } from '../../../common/spec.js';
import { loadBackendUncached, resetBackendForTests, type LoadedBackend } from '../../../main/backend/index.js';
import { buildModel, compileModel } from '../../../main/engine/build-model.js';
import { DEFAULT_TRAINING } from '../../../common/spec.js';

function brokenNativeModule(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-native-'));
  const file = path.join(dir, 'broken-tfjs-node.cjs');
  fs.writeFileSync(file, "throw new Error('tfjs_binding.node can not be found');\n");
  return file;
}

let backend: LoadedBackend;
beforeAll(async () => {
  backend = await loadBackendUncached({ nativeModule: brokenNativeModule() });
});
afterAll(() => resetBackendForTests());

const MODELS: Record<string, LayerSpec[]> = {
  'ZeroPadding2D, gelu, LayerNormalization, GlobalMaxPooling2D': [
    {
      type: 'ZeroPadding2D',
      padding: [
        [1, 0],
        [2, 1],
      ],
    },
    { type: 'Conv2D', filters: 3, kernelSize: 3, activation: 'gelu', kernelInitializer: 'he_normal' },
    { type: 'LayerNormalization', center: false },
    { type: 'GlobalMaxPooling2D' },
    { type: 'Dense', units: 3, activation: 'softmax' },
  ],
  'LeakyReLU, leaky_relu, LayerNormalization of a vector': [
    { type: 'Conv2D', filters: 3, kernelSize: 3 },
    { type: 'LeakyReLU', negativeSlope: 0.1 },
    { type: 'Flatten' },
    { type: 'Dense', units: 4, activation: 'leaky_relu' },
    { type: 'LayerNormalization', scale: false },
    { type: 'Dense', units: 3, activation: 'softmax' },
  ],
};

describe('the wasm fallback trains the layer types', () => {
  for (const [label, layers] of Object.entries(MODELS)) {
    it(label, async () => {
      expect(backend.name).toBe('wasm');
      const tf = backend.tf;
      const spec: ModelSpec = { name: 'fallback', inputShape: [6, 6, 1], layers };
      const model = buildModel(tf, spec, 3);
      compileModel(tf, model, { ...DEFAULT_TRAINING, optimizer: 'sgd', learningRate: 0.5, momentum: 0 });
      const before = model.getWeights().map((w) => Array.from(w.dataSync()));
      const x = tf.randomUniform([4, 6, 6, 1], 0, 1, 'float32', 3);
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
      const loss = (await model.trainOnBatch(x, y)) as number[];
      expect(Number.isFinite(loss[0])).toBe(true);
      const after = model.getWeights().map((w) => Array.from(w.dataSync()));
      expect(after).not.toEqual(before);
      model.dispose();
    });
  }
});
