/** Inference as one graph run against tfjs's model.predict, on the same weights. */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../../main/engine/build-model.js';
import { describeModel, makeForward } from '../../../main/engine/graph/forward.js';
import type { EngineBackend, LayersModel, Tensor, TF } from '../../../main/engine/tf-types.js';
import type { ModelSpec } from '../../../common/spec.js';
import { mulberry32 } from '../../../common/random.js';
import { testBackend } from '../helpers/backend.js';

let backend: EngineBackend;
let tf: TF;
beforeAll(async () => {
  backend = await testBackend();
  tf = backend.tf;
});
const native = () => backend.name === 'tensorflow';

const spec: ModelSpec = {
  inputShape: [8, 8, 3],
  layers: [
    { type: 'Conv2D', filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' },
    { type: 'BatchNormalization', epsilon: 0.01 },
    { type: 'MaxPooling2D' },
    { type: 'Dropout', rate: 0.5 },
    { type: 'Conv2D', filters: 5, kernelSize: 2, strides: 2, activation: 'elu', useBias: false },
    { type: 'AveragePooling2D', poolSize: 1 },
    { type: 'Flatten' },
    { type: 'Dense', units: 6, activation: 'swish' },
    { type: 'BatchNormalization' },
    { type: 'Dense', units: 3, activation: 'softmax' },
  ],
};

/** A model whose every weight, moving statistics included, is random (fresh ones are 0 and 1). */
function randomModel(): LayersModel {
  const model = buildModel(tf, spec, 3);
  const random = mulberry32(5);
  model.setWeights(
    model.getWeights().map((w) => {
      const values = Float32Array.from({ length: w.size }, () => 0.2 + random());
      return tf.tensor(values, w.shape);
    }),
  );
  return model;
}

function images(n: number): Tensor {
  const random = mulberry32(9);
  return tf.tensor4d(
    Float32Array.from({ length: n * 8 * 8 * 3 }, () => random()),
    [n, 8, 8, 3],
  );
}

/** The convolutions that run other TensorFlow ops or attributes: a dilated Conv2D, DepthwiseConv2dNative, a separable pair. */
const convSpec: ModelSpec = {
  inputShape: [8, 8, 3],
  layers: [
    { type: 'Conv2D', filters: 4, kernelSize: 2, dilationRate: [2, 3], padding: 'same', activation: 'tanh' },
    { type: 'DepthwiseConv2D', kernelSize: [3, 2], strides: 2, padding: 'same', depthMultiplier: 2 },
    { type: 'SeparableConv2D', filters: 5, kernelSize: 2, depthMultiplier: 2, activation: 'elu' },
    { type: 'GlobalAveragePooling2D' },
    { type: 'Dense', units: 3, activation: 'softmax' },
  ],
};

describe('graph inference', () => {
  it.runIf(native)('gives model.predict’s probabilities through dilated, depthwise and separable convolutions', async () => {
    const model = buildModel(tf, convSpec, 3);
    const random = mulberry32(6);
    model.setWeights(
      model.getWeights().map((w) =>
        tf.tensor(
          Float32Array.from({ length: w.size }, () => random() - 0.5),
          w.shape,
        ),
      ),
    );
    const xs = images(7);
    const forward = makeForward(tf, model);
    expect(forward.kind).toBe('graph');
    const graph = forward.run(xs);
    const eager = model.predict(xs) as Tensor;
    const [g, e] = [Array.from(await graph.data()), Array.from(await eager.data())];
    g.forEach((v, i) => expect(v).toBeCloseTo(e[i], 5));
    expect(Math.max(...e) - Math.min(...e)).toBeGreaterThan(0.05);
    forward.dispose();
    tf.dispose([xs, graph, eager]);
    model.dispose();
  });

  it.runIf(native)('gives model.predict’s probabilities, BatchNormalization on moving statistics and Dropout off', async () => {
    const model = randomModel();
    const xs = images(7);
    const forward = makeForward(tf, model);
    expect(forward.kind).toBe('graph');
    const graph = forward.run(xs);
    const eager = model.predict(xs) as Tensor;
    expect(graph.shape).toEqual([7, 3]);
    const [g, e] = [Array.from(await graph.data()), Array.from(await eager.data())];
    g.forEach((v, i) => expect(v).toBeCloseTo(e[i], 5));
    // The probabilities are not all alike, so the comparison says something.
    expect(Math.max(...e) - Math.min(...e)).toBeGreaterThan(0.05);
    // It reads the weights at each run: changed weights change its answer as they change predict's.
    model.setWeights(model.getWeights().map((w) => tf.mul(w, 0.5)));
    const again = forward.run(xs);
    const eagerAgain = model.predict(xs) as Tensor;
    const [g2, e2] = [Array.from(await again.data()), Array.from(await eagerAgain.data())];
    g2.forEach((v, i) => expect(v).toBeCloseTo(e2[i], 5));
    expect(g2).not.toEqual(g);
    forward.dispose();
    tf.dispose([xs, graph, eager, again, eagerAgain]);
    model.dispose();
  });

  it('predicts eagerly for a model without a spec, or whose spec does not fit it', () => {
    // A model tfjs built itself (no spec recorded).
    const plain = tf.sequential({
      layers: [tf.layers.flatten({ inputShape: [8, 8, 3] }), tf.layers.dense({ units: 3, activation: 'softmax' })],
    });
    expect(makeForward(tf, plain).kind).toBe('eager');
    // A spec that does not describe the model.
    describeModel(plain, spec, 3);
    const forward = makeForward(tf, plain);
    expect(forward.kind).toBe('eager');
    const xs = images(2);
    const out = forward.run(xs);
    expect(out.shape).toEqual([2, 3]);
    tf.dispose([xs, out]);
    plain.dispose();
  });
});
