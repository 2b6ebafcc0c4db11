/**
 * Graph specs (branches and merges) in the engine: built as tfjs functional models, and trained by the
 * one-graph step exactly as tfjs's trainOnBatch trains them (gradients summed where one output feeds two
 * layers, Add and Concatenate's backward), on the same weights.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, compileModel } from '../../../main/engine/build-model.js';
import { GraphTrainStep } from '../../../main/engine/graph/graph-step.js';
import { makeForward } from '../../../main/engine/graph/forward.js';
import type { EngineBackend, LayersModel, Tensor, TF } from '../../../main/engine/tf-types.js';
import { DEFAULT_TRAINING, type ModelSpec, type TrainingSettings } from '../../../common/spec.js';
import { mulberry32 } from '../../../common/random.js';
import { testBackend } from '../helpers/backend.js';
import { concatSpec, projectionSpec, residualSpec } from '../helpers/graph-specs.js';

let backend: EngineBackend;
let tf: TF;
beforeAll(async () => {
  backend = await testBackend();
  tf = backend.tf;
});
const native = () => backend.name === 'tensorflow';
const CLASSES = 3;

function batch(shape: [number, number, number], n: number, seed: number): { xs: Tensor; ys: Tensor } {
  const random = mulberry32(seed);
  const xs = tf.tensor4d(
    Float32Array.from({ length: n * shape[0] * shape[1] * shape[2] }, () => random()),
    [n, ...shape],
  );
  const ys = tf
    .oneHot(
      tf.tensor1d(
        Array.from({ length: n }, (_, i) => i % CLASSES),
        'int32',
      ),
      CLASSES,
    )
    .toFloat();
  return { xs, ys };
}

function compiled(spec: ModelSpec, settings: TrainingSettings, weights?: Tensor[]): LayersModel {
  const model = buildModel(tf, spec, CLASSES);
  compileModel(tf, model, settings);
  if (weights) model.setWeights(weights);
  return model;
}

async function values(model: LayersModel): Promise<number[][]> {
  const optimizer = await model.optimizer.getWeights();
  const tensors = [...model.weights.map((w) => w.read()), ...optimizer.map((w) => w.tensor)];
  return Promise.all(tensors.map(async (t) => Array.from(await t.data())));
}

function worstRelative(a: number[][], b: number[][]): number {
  let worst = 0;
  a.forEach((vs, k) => {
    const scale = Math.max(1e-3, ...b[k].map(Math.abs));
    vs.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[k][i]) / scale)));
  });
  return worst;
}

/** Three batches with trainOnBatch and with the graph step from the same weights; the states after, and the losses. */
async function compare(spec: ModelSpec, overrides: Partial<TrainingSettings> = {}) {
  const settings = { ...DEFAULT_TRAINING, ...overrides };
  const eager = compiled(spec, settings);
  const graph = compiled(spec, settings, eager.getWeights());
  const initial = await values(eager);
  const step = GraphTrainStep.create(tf, graph, spec, settings, CLASSES);
  const losses: [number[], number[]] = [[], []];
  for (let s = 0; s < 3; s++) {
    const { xs, ys } = batch(spec.inputShape, 6, 100 + s);
    losses[0].push(((await eager.trainOnBatch(xs, ys)) as number[])[0]);
    losses[1].push((await step.run(xs, ys))[0]);
    tf.dispose([xs, ys]);
  }
  step.sync();
  const [e, g] = [await values(eager), await values(graph)];
  step.dispose();
  eager.dispose();
  graph.dispose();
  return { losses, eager: e, graph: g, initial };
}

describe('graph specs in the engine', () => {
  it('builds a chain as Sequential and a graph as a functional model with the merge layers', () => {
    const chain = buildModel(tf, { inputShape: [4, 4, 1], layers: [{ type: 'Flatten' }, { type: 'Dense', units: 2 }] });
    expect(chain.getClassName()).toBe('Sequential');
    chain.dispose();
    const model = buildModel(tf, residualSpec(CLASSES), CLASSES);
    expect(model.getClassName()).toBe('Model');
    expect(model.layers.map((l) => l.getClassName())).toContain('Add');
    expect(model.outputs[0].shape).toEqual([null, CLASSES]);
    model.dispose();
  });

  it.runIf(native)('trains a residual block (identity shortcut, a branch at the stem) as trainOnBatch does', async () => {
    const r = await compare(residualSpec(CLASSES));
    r.losses[1].forEach((loss, s) => expect(loss).toBeCloseTo(r.losses[0][s], 4));
    expect(worstRelative(r.initial.slice(0, 4), r.eager.slice(0, 4))).toBeGreaterThan(1e-3);
    expect(worstRelative(r.graph, r.eager)).toBeLessThan(1e-3);
  });

  it.runIf(native)('trains a downsampling block with a strided 1x1 projection shortcut as trainOnBatch does', async () => {
    const r = await compare(projectionSpec(CLASSES), { optimizer: 'sgd', learningRate: 0.1, momentum: 0.9 });
    r.losses[1].forEach((loss, s) => expect(loss).toBeCloseTo(r.losses[0][s], 4));
    expect(worstRelative(r.graph, r.eager)).toBeLessThan(1e-3);
  });

  it.runIf(native)('trains a Concatenate of two branches as trainOnBatch does', async () => {
    const r = await compare(concatSpec(CLASSES), { optimizer: 'rmsprop', learningRate: 0.01 });
    r.losses[1].forEach((loss, s) => expect(loss).toBeCloseTo(r.losses[0][s], 4));
    expect(worstRelative(r.graph, r.eager)).toBeLessThan(1e-3);
  });

  it.runIf(native)('runs the inference graph of a graph spec as model.predict does', async () => {
    for (const spec of [residualSpec(CLASSES), projectionSpec(CLASSES), concatSpec(CLASSES)]) {
      const model = buildModel(tf, spec, CLASSES);
      const forward = makeForward(tf, model);
      expect(forward.kind).toBe('graph');
      const { xs, ys } = batch(spec.inputShape, 5, 7);
      const [a, b] = [forward.run(xs), model.predict(xs) as Tensor];
      const diff = (await tf.max(tf.abs(tf.sub(a, b))).data())[0];
      expect(diff).toBeLessThan(1e-5);
      tf.dispose([xs, ys, a, b]);
      forward.dispose();
      model.dispose();
    }
  });
});
