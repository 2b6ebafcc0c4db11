/**
 * One training step two ways from the same weights: tfjs's own trainOnBatch (autodiff through tfjs's
 * kernels) and Layerbench's one-graph step on native TensorFlow, for tests that compare them.
 */
import { buildModel, compileModel } from '../../../main/engine/build-model.js';
import { GraphTrainStep } from '../../../main/engine/graph/graph-step.js';
import type { LayersModel, Tensor, TF } from '../../../main/engine/tf-types.js';
import { DEFAULT_TRAINING, type ModelSpec, type TrainingSettings } from '../../../common/spec.js';
import { mulberry32 } from '../../../common/random.js';

/** A batch of seeded pixels with labels cycling through the classes, one-hot (or as indexes when sparse). */
export function seededBatch(
  tf: TF,
  shape: number[],
  n: number,
  classes: number,
  sparse: boolean,
  seed: number,
): { xs: Tensor; ys: Tensor } {
  const random = mulberry32(seed);
  const pixels = Float32Array.from({ length: n * shape.reduce((a, b) => a * b, 1) }, () => random());
  const labels = Array.from({ length: n }, (_, i) => i % classes);
  const xs = tf.tensor(pixels, [n, ...shape]);
  const ys = sparse ? tf.tensor2d(labels, [n, 1]) : tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat();
  return { xs, ys };
}

/** Largest |a - b| relative to the largest |b| of each tensor (1e-3 floor, so near-zero tensors compare absolutely). */
export function worstRelative(a: number[][], b: number[][]): number {
  let worst = 0;
  a.forEach((values, k) => {
    const scale = Math.max(1e-3, ...b[k].map(Math.abs));
    values.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(v - b[k][i]) / scale);
    });
  });
  return worst;
}

async function values(model: LayersModel): Promise<{ names: string[]; values: number[][] }> {
  const optimizer = await model.optimizer.getWeights();
  const tensors = [...model.weights.map((w) => w.read()), ...optimizer.map((w) => w.tensor)];
  return {
    names: [...model.weights.map((w) => w.originalName), ...optimizer.map((w) => w.name.replace(/_\d+\//g, '/'))],
    values: await Promise.all(tensors.map(async (t) => Array.from(await t.data()))),
  };
}

/** One batch through trainOnBatch and through the graph step, from the same starting weights. */
export async function compareOneStep(tf: TF, spec: ModelSpec, classes: number, overrides: Partial<TrainingSettings> = {}, n = 6) {
  const settings = { ...DEFAULT_TRAINING, ...overrides };
  const build = (weights?: Tensor[]) => {
    const model = buildModel(tf, spec, classes);
    compileModel(tf, model, settings);
    if (weights) model.setWeights(weights);
    return model;
  };
  const eager = build();
  const graph = build(eager.getWeights());
  const initial = await Promise.all(eager.weights.map(async (w) => Array.from(await w.read().data())));
  const step = GraphTrainStep.create(tf, graph, spec, settings, classes);
  const { xs, ys } = seededBatch(tf, spec.inputShape, n, classes, settings.loss === 'sparseCategoricalCrossentropy', 100);
  const [eagerLoss] = (await eager.trainOnBatch(xs, ys)) as number[];
  const [graphLoss] = await step.run(xs, ys);
  step.sync();
  const result = { eagerLoss, graphLoss, initial, eager: await values(eager), graph: await values(graph) };
  step.dispose();
  tf.dispose([xs, ys]);
  eager.dispose();
  graph.dispose();
  return result;
}
