/**
 * The one-graph training step against tfjs's own trainOnBatch (autodiff through tfjs's kernels) from the
 * same weights: every layer type, every activation, every optimizer, both losses.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, compileModel } from '../../../main/engine/build-model.js';
import { GraphTrainStep, makeTrainStep } from '../../../main/engine/graph/graph-step.js';
import type { EngineBackend, LayersModel, Tensor, TF } from '../../../main/engine/tf-types.js';
import { DEFAULT_TRAINING, type LayerSpec, type ModelSpec, type TrainingSettings } from '../../../common/spec.js';
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

function batch(shape: [number, number, number], n: number, sparse: boolean, seed: number): { xs: Tensor; ys: Tensor } {
  const random = mulberry32(seed);
  const pixels = Float32Array.from({ length: n * shape[0] * shape[1] * shape[2] }, () => random());
  const labels = Array.from({ length: n }, (_, i) => i % CLASSES);
  const xs = tf.tensor4d(pixels, [n, ...shape]);
  const ys = sparse ? tf.tensor2d(labels, [n, 1]) : tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES).toFloat();
  return { xs, ys };
}

function compiled(spec: ModelSpec, settings: TrainingSettings, weights?: Tensor[]): LayersModel {
  const model = buildModel(tf, spec, CLASSES);
  compileModel(tf, model, settings);
  if (weights) model.setWeights(weights);
  return model;
}

async function state(model: LayersModel): Promise<{ names: string[]; values: number[][] }> {
  const optimizer = await model.optimizer.getWeights();
  const tensors = [...model.weights.map((w) => w.read()), ...optimizer.map((w) => w.tensor)];
  return {
    names: [...model.weights.map((w) => w.originalName), ...optimizer.map((w) => w.name.replace(/_\d+\//g, '/'))],
    values: await Promise.all(tensors.map(async (t) => Array.from(await t.data()))),
  };
}

/** Largest |a - b| relative to the largest |b| of each tensor (1e-3 floor, so near-zero tensors compare absolutely). */
function worstRelative(a: number[][], b: number[][]): number {
  let worst = 0;
  a.forEach((values, k) => {
    const scale = Math.max(1e-3, ...b[k].map(Math.abs));
    values.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(v - b[k][i]) / scale);
    });
  });
  return worst;
}

/** Trains `steps` batches with tfjs's trainOnBatch and with the graph step from the same weights. */
async function compare(spec: ModelSpec, overrides: Partial<TrainingSettings>, steps = 1, n = 6) {
  const settings = { ...DEFAULT_TRAINING, ...overrides };
  const sparse = settings.loss === 'sparseCategoricalCrossentropy';
  const eager = compiled(spec, settings);
  const graph = compiled(spec, settings, eager.getWeights());
  const initial = await Promise.all(eager.weights.map(async (w) => Array.from(await w.read().data())));
  const step = GraphTrainStep.create(tf, graph, spec, settings, CLASSES);
  const losses: [number[], number[]] = [[], []];
  const accuracies: [number[], number[]] = [[], []];
  for (let s = 0; s < steps; s++) {
    const { xs, ys } = batch(spec.inputShape, n, sparse, 100 + s);
    const out = (await eager.trainOnBatch(xs, ys)) as number[];
    const [loss, accuracy] = await step.run(xs, ys);
    losses[0].push(out[0]);
    losses[1].push(loss);
    accuracies[0].push(out[1]);
    accuracies[1].push(accuracy);
    tf.dispose([xs, ys]);
  }
  step.sync();
  const [e, g] = [await state(eager), await state(graph)];
  step.dispose();
  eager.dispose();
  graph.dispose();
  return { losses, accuracies, eager: e, graph: g, initial };
}

const conv = (extra: Partial<Extract<LayerSpec, { type: 'Conv2D' }>> = {}): LayerSpec => ({
  type: 'Conv2D',
  filters: 3,
  kernelSize: 3,
  activation: 'relu',
  ...extra,
});
const head: LayerSpec[] = [{ type: 'Flatten' }, { type: 'Dense', units: CLASSES, activation: 'softmax' }];

describe('one-graph training step', () => {
  it.runIf(native)('takes the same step as trainOnBatch through convolutions, pooling, BatchNormalization and Dense', async () => {
    const spec: ModelSpec = {
      inputShape: [9, 9, 2],
      layers: [
        conv({ padding: 'same', strides: 2 }),
        conv({ filters: 4, kernelSize: [2, 3], useBias: false, activation: 'tanh' }),
        { type: 'BatchNormalization', momentum: 0.9, epsilon: 0.01 },
        { type: 'MaxPooling2D', poolSize: 2, strides: 1, padding: 'same' },
        { type: 'AveragePooling2D', poolSize: 2 },
        { type: 'Flatten' },
        { type: 'Dense', units: 5, activation: 'sigmoid' },
        { type: 'BatchNormalization' },
        { type: 'Dense', units: CLASSES, activation: 'softmax' },
      ],
    };
    const r = await compare(spec, { optimizer: 'sgd', learningRate: 0.5, momentum: 0 });
    expect(r.graph.names).toEqual(r.eager.names);
    expect(r.losses[1][0]).toBeCloseTo(r.losses[0][0], 5);
    expect(r.accuracies[1]).toEqual(r.accuracies[0]);
    // Something moved: the step is not a no-op on either side.
    expect(worstRelative(r.initial, r.eager.values.slice(0, r.initial.length))).toBeGreaterThan(1e-3);
    // Fresh random weights each run, so rounding differs from run to run; a wrong gradient is off by O(1).
    expect(worstRelative(r.graph.values, r.eager.values)).toBeLessThan(1e-3);
  });

  it.runIf(native)('handles BatchNormalization over a single value per feature (a batch of one after Dense)', async () => {
    const spec: ModelSpec = {
      inputShape: [3, 3, 1],
      layers: [{ type: 'Flatten' }, { type: 'Dense', units: 5, activation: 'relu' }, { type: 'BatchNormalization' }, ...head.slice(1)],
    };
    const r = await compare(spec, { optimizer: 'sgd', learningRate: 0.5, momentum: 0 }, 2, 1);
    r.losses[1].forEach((loss, s) => expect(loss).toBeCloseTo(r.losses[0][s], 5));
    expect(r.graph.values.flat().every(Number.isFinite)).toBe(true);
    expect(worstRelative(r.graph.values, r.eager.values)).toBeLessThan(1e-3);
  });

  it.runIf(native)('differentiates every activation like tfjs does, with GlobalAveragePooling2D and the sparse loss', async () => {
    const activations = ['elu', 'selu', 'relu6', 'softplus', 'softsign', 'swish', 'linear', 'sigmoid'] as const;
    for (const activation of activations) {
      const spec: ModelSpec = {
        inputShape: [6, 6, 2],
        layers: [
          conv({ activation }),
          { type: 'Activation', activation: activation === 'linear' ? 'tanh' : activation },
          { type: 'GlobalAveragePooling2D' },
          { type: 'Dense', units: 6, activation: 'softmax' },
          { type: 'Dense', units: CLASSES },
          { type: 'Activation', activation: 'softmax' },
        ],
      };
      const r = await compare(spec, { optimizer: 'sgd', learningRate: 2, momentum: 0, loss: 'sparseCategoricalCrossentropy' });
      expect(r.losses[1][0], activation).toBeCloseTo(r.losses[0][0], 5);
      expect(worstRelative(r.graph.values, r.eager.values), activation).toBeLessThan(1e-3);
    }
  });

  it.runIf(native)('runs each optimizer as tfjs does, slots and iterations included, over several steps', async () => {
    // No bias before BatchNormalization: its gradient is zero up to rounding, which Adam and RMSprop would
    // blow up into full-size steps in random directions on both sides.
    const spec: ModelSpec = { inputShape: [5, 5, 1], layers: [conv({ useBias: false }), { type: 'BatchNormalization' }, ...head] };
    const cases: Partial<TrainingSettings>[] = [
      { optimizer: 'adam', learningRate: 0.01 },
      { optimizer: 'sgd', learningRate: 0.1, momentum: 0.9 },
      { optimizer: 'sgd', learningRate: 0.1, momentum: 0 },
      { optimizer: 'rmsprop', learningRate: 0.01, momentum: 0.5 },
      { optimizer: 'rmsprop', learningRate: 0.01, momentum: 0 },
    ];
    for (const settings of cases) {
      const r = await compare(spec, settings, 4);
      const label = JSON.stringify(settings);
      expect(r.graph.names, label).toEqual(r.eager.names);
      r.losses[1].forEach((loss, s) => expect(loss, `${label} step ${s}`).toBeCloseTo(r.losses[0][s], 4));
      expect(worstRelative(r.graph.values, r.eager.values), label).toBeLessThan(1e-3);
    }
  });

  it.runIf(native)('drops inputs at the Dropout rate, scaled by 1 / keep, with masks that depend on the seed', async () => {
    const spec: ModelSpec = {
      inputShape: [16, 16, 4],
      layers: [{ type: 'Flatten' }, { type: 'Dropout', rate: 0.25 }, { type: 'Dense', units: CLASSES, activation: 'softmax' }],
    };
    const settings = { ...DEFAULT_TRAINING, optimizer: 'sgd' as const, learningRate: 1, momentum: 0 };
    // One image per batch: a kernel row whose input was dropped gets no gradient and stays as it was.
    const unchangedRows = async (seed: number) => {
      const model = compiled(spec, settings);
      const before = model.layers[2].getWeights()[0].arraySync() as number[][];
      const step = GraphTrainStep.create(tf, model, spec, settings, CLASSES);
      const { xs, ys } = batch(spec.inputShape, 1, false, 7);
      const restore = Math.random;
      Math.random = mulberry32(seed);
      try {
        await step.run(xs, ys);
        step.sync();
      } finally {
        Math.random = restore;
      }
      const after = model.layers[2].getWeights()[0].arraySync() as number[][];
      step.dispose();
      model.dispose();
      tf.dispose([xs, ys]);
      return before.map((row, i) => row.every((v, j) => v === after[i][j]));
    };
    const a = await unchangedRows(1);
    const fraction = a.filter(Boolean).length / a.length;
    expect(fraction).toBeGreaterThan(0.2);
    expect(fraction).toBeLessThan(0.3);
    expect(await unchangedRows(1)).toEqual(a);
    expect(await unchangedRows(2)).not.toEqual(a);
  });

  it.runIf(native)('is what training uses on native TensorFlow; LAYERBENCH_EAGER_STEP=1 brings back trainOnBatch', async () => {
    const spec: ModelSpec = { inputShape: [5, 5, 1], layers: [conv(), ...head] };
    const model = compiled(spec, DEFAULT_TRAINING);
    const logs: string[] = [];
    const graphStep = makeTrainStep(tf, model, spec, DEFAULT_TRAINING, CLASSES, (m) => logs.push(m));
    expect(graphStep.kind).toBe('graph');
    graphStep.dispose();
    process.env.LAYERBENCH_EAGER_STEP = '1';
    try {
      expect(makeTrainStep(tf, model, spec, DEFAULT_TRAINING, CLASSES, (m) => logs.push(m)).kind).toBe('eager');
    } finally {
      delete process.env.LAYERBENCH_EAGER_STEP;
    }
    expect(logs).toEqual([]);
    model.dispose();
  });

  it('falls back to trainOnBatch, saying why, when the graph cannot be built', async () => {
    const spec: ModelSpec = { inputShape: [5, 5, 1], layers: [conv(), ...head] };
    const model = compiled(spec, DEFAULT_TRAINING);
    const logs: string[] = [];
    // A spec that does not describe the model: its Dense layer has no weights of the model's shape.
    const wrong: ModelSpec = { ...spec, layers: [...spec.layers.slice(0, 2), { type: 'Dense', units: 3, activation: 'softmax' }] };
    const step = makeTrainStep(tf, model, wrong, DEFAULT_TRAINING, CLASSES, (m) => logs.push(m));
    expect(step.kind).toBe('eager');
    if (native()) expect(logs.join('\n')).toMatch(/eager step: the one-graph step could not be built/);
    const { xs, ys } = batch(spec.inputShape, 4, false, 3);
    const [loss] = await step.run(xs, ys);
    expect(Number.isFinite(loss)).toBe(true);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it.runIf(native)('keeps the weights in TensorFlow between batches and hands them to the tfjs model on sync()', async () => {
    const spec: ModelSpec = { inputShape: [5, 5, 1], layers: [conv(), { type: 'BatchNormalization' }, ...head] };
    const model = compiled(spec, DEFAULT_TRAINING);
    const step = GraphTrainStep.create(tf, model, spec, DEFAULT_TRAINING, CLASSES);
    const weights = async () => Promise.all(model.weights.map(async (w) => Array.from(await w.read().data())));
    const initial = await weights();
    const { xs, ys } = batch(spec.inputShape, 4, false, 3);
    await step.run(xs, ys);
    await step.run(xs, ys);
    expect(await weights()).toEqual(initial);
    step.sync();
    const trained = await weights();
    expect(trained).not.toEqual(initial);
    expect(model.optimizer.iterations).toBe(2);
    step.sync();
    expect(await weights()).toEqual(trained);
    step.dispose();
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it.runIf(native)('leaks no tensors over many steps', async () => {
    const spec: ModelSpec = {
      inputShape: [5, 5, 1],
      layers: [conv(), { type: 'Dropout', rate: 0.5 }, { type: 'BatchNormalization' }, ...head],
    };
    const model = compiled(spec, DEFAULT_TRAINING);
    const step = GraphTrainStep.create(tf, model, spec, DEFAULT_TRAINING, CLASSES);
    const { xs, ys } = batch(spec.inputShape, 4, false, 3);
    await step.run(xs, ys); // creates the optimizer's slots
    const before = tf.memory().numTensors;
    for (let s = 0; s < 5; s++) await step.run(xs, ys);
    step.sync();
    expect(tf.memory().numTensors).toBe(before);
    step.dispose();
    tf.dispose([xs, ys]);
    model.dispose();
  });
});
