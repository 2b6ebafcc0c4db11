/**
 * Keras -> Layerbench: models built and saved by the real Keras (test/python/make_keras_models.py) are
 * imported from .keras and .h5 as a spec plus weights, loaded by the engine, and must predict what Keras
 * predicted on the same inputs, to 1e-4. A model with a layer Layerbench lacks is refused, naming it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateExperiment } from '../../../common/schema.js';
import { loadModelFromDir } from '../../../main/engine/save.js';
import type { EngineBackend } from '../../../main/engine/tf-types.js';
import { importModel } from '../../../main/runs/import-model.js';
import { testBackend } from '../helpers/backend.js';
import { maxAbsDiff, needsPython, python, runPython } from './python-env.js';

let backend: EngineBackend;
let work: string;
let models: { name: string; shape: number[]; outputs: number }[] = [];

const floats = async (file: string) => new Float32Array((await readFile(file)).buffer.slice(0));

beforeAll(async () => {
  backend = await testBackend();
  work = await mkdtemp(path.join(tmpdir(), 'lb-import-'));
  if (python.ok) {
    runPython('make_keras_models.py', [work]);
    models = JSON.parse(await readFile(path.join(work, 'models.json'), 'utf8'));
  }
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('Keras -> Layerbench', () => {
  it.skipIf(!python.ok)(
    `imports Keras-saved .keras and .h5 models and predicts what Keras predicted, within 1e-4${needsPython}`,
    async () => {
      const tf = backend.tf;
      expect(models.map((m) => m.name)).toEqual(['every_layer', 'chain', 'new_layers']);
      for (const m of models) {
        const x = tf.tensor(await floats(path.join(work, `${m.name}.input.bin`)), m.shape);
        const expected = await floats(path.join(work, `${m.name}.output.bin`));
        for (const ext of ['keras', 'h5']) {
          const out = path.join(work, `imported-${m.name}-${ext}`);
          const result = await importModel(tf, path.join(work, `${m.name}.${ext}`), out);
          // The spec on disk is valid, and the training settings came along from the Keras file.
          const saved = validateExperiment(JSON.parse(await readFile(path.join(out, 'experiment.json'), 'utf8')));
          expect(saved.ok).toBe(true);
          expect(result.experiment.training).toMatchObject({
            optimizer: 'sgd',
            learningRate: 0.05,
            momentum: 0.8,
            loss: 'sparseCategoricalCrossentropy',
          });
          const model = await loadModelFromDir(tf, out);
          const y = model.predict(x) as ReturnType<typeof tf.tensor>;
          const diff = maxAbsDiff((await y.data()) as Float32Array, expected);
          expect(diff, `${m.name}.${ext}: max abs diff ${diff}`).toBeLessThanOrEqual(1e-4);
          y.dispose();
          model.dispose();
        }
        x.dispose();
      }
      const every = JSON.parse(await readFile(path.join(work, 'imported-every_layer-keras', 'experiment.json'), 'utf8'));
      expect(every.model.layers.map((l: { type: string }) => l.type)).toEqual([
        'Conv2D',
        'BatchNormalization',
        'MaxPooling2D',
        'Conv2D',
        'AveragePooling2D',
        'Dropout',
        'Activation',
        'Flatten',
        'Dense',
        'BatchNormalization',
        'Dense',
      ]);
      expect(every.model.inputShape).toEqual([10, 10, 3]);
      const added = JSON.parse(await readFile(path.join(work, 'imported-new_layers-h5', 'experiment.json'), 'utf8'));
      expect(added.model.layers.map(({ name: _, ...l }: { name: string }) => l)).toEqual([
        {
          type: 'ZeroPadding2D',
          padding: [
            [1, 0],
            [2, 1],
          ],
        },
        {
          type: 'Conv2D',
          filters: 4,
          kernelSize: 3,
          strides: 1,
          padding: 'valid',
          activation: 'gelu',
          useBias: true,
          kernelInitializer: 'he_normal',
          biasInitializer: 'ones',
        },
        { type: 'LayerNormalization', epsilon: 0.01, center: false, scale: true },
        { type: 'LeakyReLU', negativeSlope: 0.1 },
        { type: 'GlobalMaxPooling2D' },
        { type: 'Dense', units: 6, activation: 'leaky_relu', useBias: true, kernelInitializer: 'lecun_normal' },
        { type: 'LayerNormalization', epsilon: 0.001, center: true, scale: true },
        { type: 'Dense', units: 3, activation: 'softmax', useBias: true },
      ]);
    },
  );

  it.skipIf(!python.ok)(`names the unsupported layer of a Keras model and writes nothing${needsPython}`, async () => {
    const out = path.join(work, 'should-not-exist');
    await expect(importModel(backend.tf, path.join(work, 'unsupported.keras'), out)).rejects.toThrow(/"prelu" \(PReLU\).*not supported/);
    await expect(readFile(path.join(out, 'model.json'))).rejects.toThrow();
  });
});
