import { beforeAll, describe, expect, it } from 'vitest';
import { preset } from '../../../common/presets.js';
import { DEFAULT_TRAINING } from '../../../common/spec.js';
import { buildModel, compileModel } from '../../../main/engine/build-model.js';
import type { EngineBackend, TF } from '../../../main/engine/tf-types.js';
import { testBackend } from '../helpers/backend.js';

let backend: EngineBackend;
let tf: TF;
beforeAll(async () => {
  backend = await testBackend();
  tf = backend.tf;
});

describe('buildModel', () => {
  it("builds tfjs's own layers and optimizer and leaves tfjs's kernels and gradients as they were", () => {
    // The registries are global to the process: a model must not change how any other tfjs code computes.
    const step = tf.getKernel('Step', backend.name);
    const reluGradient = tf.getGradient('Relu');
    const stockBatchNorm = tf.serialization.SerializationMap.getMap().classNameMap.BatchNormalization[0];

    const model = buildModel(tf, preset('seed-batchnorm').model, 10);
    const optimizer = compileModel(tf, model, { ...DEFAULT_TRAINING, optimizer: 'adam' });

    expect(tf.getKernel('Step', backend.name)).toBe(step);
    expect(tf.getGradient('Relu')).toBe(reluGradient);
    const batchNorms = model.layers.filter((l) => l.getClassName() === 'BatchNormalization');
    expect(batchNorms.length).toBeGreaterThan(0);
    for (const layer of batchNorms) expect(Object.getPrototypeOf(layer).constructor).toBe(stockBatchNorm);
    expect(Object.getPrototypeOf(optimizer).constructor).toBe(tf.AdamOptimizer);
    model.dispose();
    optimizer.dispose();
  });
});
