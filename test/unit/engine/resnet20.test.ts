/**
 * The resnet20 preset in the engine: it builds as a tfjs functional model (the eager path, export, inference)
 * with Keras's parameter count, the one-graph training step builds from it and takes the same first step as
 * tfjs's trainOnBatch, and a few steps of its own training settings (SGD 0.1, momentum 0.9) bring the loss
 * down on a small slice of learnable data.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, compileModel } from '../../../main/engine/build-model.js';
import { GraphTrainStep } from '../../../main/engine/graph/graph-step.js';
import type { EngineBackend, Tensor, TF } from '../../../main/engine/tf-types.js';
import { CIFAR10_TARGET, preset } from '../../../common/presets.js';
import { mulberry32 } from '../../../common/random.js';
import { testBackend } from '../helpers/backend.js';

let backend: EngineBackend;
let tf: TF;
beforeAll(async () => {
  backend = await testBackend();
  tf = backend.tf;
});
const native = () => backend.name === 'tensorflow';

const CLASSES = 4;
// Small images keep the test quick; the architecture (and its graph) is the same at any size.
const TARGET = { inputShape: [16, 16, 3] as [number, number, number], numClasses: CLASSES };

/** Each class is a bright square in its own quadrant over noise: learnable within a few steps. */
function slice(n: number, seed: number): { xs: Tensor; ys: Tensor } {
  const random = mulberry32(seed);
  const [h, w, c] = TARGET.inputShape;
  const pixels = new Float32Array(n * h * w * c);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % CLASSES;
    labels.push(label);
    const [top, left] = [label < 2 ? 0 : h / 2, label % 2 === 0 ? 0 : w / 2];
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const inside = y >= top && y < top + h / 2 && x >= left && x < left + w / 2;
        for (let k = 0; k < c; k++) pixels[((i * h + y) * w + x) * c + k] = (inside ? 0.7 : 0) + 0.3 * random();
      }
  }
  return { xs: tf.tensor4d(pixels, [n, h, w, c]), ys: tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES).toFloat() };
}

describe('resnet20 in the engine', () => {
  it('builds as a tfjs functional model with 274,042 parameters for CIFAR-10 (what Keras counts)', () => {
    const spec = preset('resnet20', CIFAR10_TARGET).model;
    const model = buildModel(tf, spec, 10);
    expect(model.getClassName()).toBe('Model');
    expect(model.countParams()).toBe(274_042);
    expect(model.layers.filter((l) => l.getClassName() === 'Add')).toHaveLength(9);
    expect(model.outputs[0].shape).toEqual([null, 10]);
    const x = tf.zeros([2, 32, 32, 3]);
    const y = model.predict(x) as Tensor;
    expect(y.shape).toEqual([2, 10]);
    tf.dispose([x, y]);
    model.dispose();
  });

  it.runIf(native)('builds the one-graph step, which takes the same first step as trainOnBatch', async () => {
    const experiment = preset('resnet20', TARGET);
    const eager = buildModel(tf, experiment.model, CLASSES);
    compileModel(tf, eager, experiment.training);
    const graph = buildModel(tf, experiment.model, CLASSES);
    compileModel(tf, graph, experiment.training);
    graph.setWeights(eager.getWeights());
    const step = GraphTrainStep.create(tf, graph, experiment.model, experiment.training, CLASSES);
    const { xs, ys } = slice(8, 1);
    const eagerLoss = ((await eager.trainOnBatch(xs, ys)) as number[])[0];
    const [graphLoss] = await step.run(xs, ys);
    expect(graphLoss).toBeCloseTo(eagerLoss, 4);
    tf.dispose([xs, ys]);
    step.dispose();
    eager.dispose();
    graph.dispose();
  });

  it.runIf(native)('trains with its own settings: the loss goes down over a few graph steps on a small slice', async () => {
    const experiment = preset('resnet20', TARGET);
    expect(experiment.training.optimizer).toBe('sgd');
    const model = buildModel(tf, experiment.model, CLASSES);
    compileModel(tf, model, experiment.training);
    const step = GraphTrainStep.create(tf, model, experiment.model, experiment.training, CLASSES);
    const { xs, ys } = slice(32, 2);
    const losses: number[] = [];
    for (let s = 0; s < 12; s++) losses.push((await step.run(xs, ys))[0]);
    const last = (losses[10] + losses[11]) / 2;
    expect(last, `losses ${losses.map((l) => l.toFixed(3)).join(', ')}`).toBeLessThan(losses[0] * 0.5);
    step.dispose();
    tf.dispose([xs, ys]);
    model.dispose();
  });
});
