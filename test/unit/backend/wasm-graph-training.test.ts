// Graph specs on the fallback backends: the wasm (and cpu) path trains a functional model with tfjs's own
// trainOnBatch, so a residual block (a branch, Add) and a Concatenate must take the same step on wasm, with
// the kernels Layerbench adds, as on tfjs-backend-cpu.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_TRAINING, type ModelSpec } from '../../../common/spec.js';
import { registerComposedKernels } from '../../../main/backend/index.js';
import { buildModel, compileModel } from '../../../main/engine/build-model.js';
import { concatSpec, projectionSpec, residualSpec } from '../helpers/graph-specs.js';
import { maxAbs, maxAbsDiff, seeded, useCpu, useWasm } from './helpers.js';

const CLASSES = 3;
const settings = { ...DEFAULT_TRAINING, optimizer: 'sgd' as const, learningRate: 0.5 };

/** The weights after one trainOnBatch step from fixed weights on the current backend. */
async function oneStep(spec: ModelSpec): Promise<{ before: Float32Array[]; after: Float32Array[] }> {
  const model = buildModel(tf, spec, CLASSES);
  compileModel(tf, model, settings);
  model.weights.forEach((w, i) =>
    w.write(
      tf
        .tensor(
          seeded(
            w.shape.reduce((a, b) => a! * b!, 1)!,
            700 + i,
          ),
          w.shape as number[],
        )
        .mul(0.5),
    ),
  );
  const before = model.weights.map((w) => w.read().dataSync() as Float32Array);
  const n = 6;
  const xs = tf.tensor4d(seeded(n * spec.inputShape.reduce((a, b) => a * b, 1), 9), [n, ...spec.inputShape]);
  const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), CLASSES).toFloat();
  await model.trainOnBatch(xs, ys);
  const after = model.weights.map((w) => w.read().dataSync() as Float32Array);
  tf.dispose([xs, ys]);
  model.dispose();
  return { before, after };
}

describe('graph specs on the wasm fallback', () => {
  beforeAll(async () => {
    await useWasm();
    registerComposedKernels('wasm');
  });

  for (const [name, make] of [
    ['a residual block with an identity shortcut', residualSpec],
    ['a strided 1x1 projection shortcut', projectionSpec],
    ['a Concatenate of two branches', concatSpec],
  ] as const) {
    it(`trains ${name} as tfjs-backend-cpu does`, async () => {
      const spec = make(CLASSES);
      await useCpu();
      const ref = await oneStep(spec);
      await useWasm();
      const got = await oneStep(spec);
      expect(tf.getBackend()).toBe('wasm');
      // The step moved the weights, and moved them the same way on both backends.
      expect(Math.max(...ref.after.map((a, i) => maxAbsDiff(a, ref.before[i])))).toBeGreaterThan(1e-3);
      got.after.forEach((a, i) =>
        expect(maxAbsDiff(a, ref.after[i]) / Math.max(1, maxAbs(ref.after[i])), `weight ${i}`).toBeLessThan(1e-4),
      );
    });
  }
});
