/**
 * A dilated Conv2D. tfjs has no gradient for it, so its graph step (TensorFlow's Conv2D kernels with the
 * dilations attribute) is checked against trainOnBatch on the same model with the kernel written out: a
 * dilated kernel is a larger one with zeros between its taps, whose gradient at the taps is the dilated
 * kernel's. On tfjs's own step (wasm, cpu, or LAYERBENCH_EAGER_STEP=1) training stops before it starts,
 * naming the layer.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAINING, type ExperimentSpec, type LayerSpec, type ModelSpec } from '../../../common/spec.js';
import { summarize } from '../../../common/summarize.js';
import type { Dataset } from '../../../main/data/dataset.js';
import { buildModel, compileModel } from '../../../main/engine/build-model.js';
import { GraphTrainStep } from '../../../main/engine/graph/graph-step.js';
import { eagerStepFault } from '../../../main/engine/layers/index.js';
import { train } from '../../../main/engine/train.js';
import type { EngineBackend, Tensor } from '../../../main/engine/tf-types.js';
import { testBackend } from '../helpers/backend.js';
import { tinyMnist } from '../helpers/fixtures.js';
import { seededBatch, worstRelative } from '../helpers/step-compare.js';

const CLASSES = 3;
const KERNEL: [number, number] = [3, 2];
const DILATION: [number, number] = [2, 3];
const SPREAD: [number, number] = [(KERNEL[0] - 1) * DILATION[0] + 1, (KERNEL[1] - 1) * DILATION[1] + 1];

const layers = (dilated: Partial<Extract<LayerSpec, { type: 'Conv2D' }>>): LayerSpec[] => [
  { type: 'Conv2D', filters: 2, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c0' },
  { type: 'Conv2D', filters: 3, kernelSize: KERNEL, padding: 'same', activation: 'tanh', name: 'dilated', ...dilated },
  { type: 'Flatten', name: 'flat' },
  { type: 'Dense', units: CLASSES, activation: 'softmax', name: 'scores' },
];
const dilatedSpec: ModelSpec = { name: 'dilated', inputShape: [9, 9, 2], layers: layers({ dilationRate: DILATION }) };
const spreadSpec: ModelSpec = { name: 'spread', inputShape: [9, 9, 2], layers: layers({ kernelSize: SPREAD }) };

/** The dilated kernel [kh, kw, in, out] written out as the larger kernel it stands for. */
function spreadKernel(values: number[], [kh, kw, cin, cout]: number[]): number[] {
  const out = new Array<number>(SPREAD[0] * SPREAD[1] * cin * cout).fill(0);
  for (let a = 0; a < kh; a++)
    for (let b = 0; b < kw; b++)
      for (let k = 0; k < cin * cout; k++)
        out[(a * DILATION[0] * SPREAD[1] + b * DILATION[1]) * cin * cout + k] = values[(a * kw + b) * cin * cout + k];
  return out;
}

/** The taps of a written-out kernel, as the dilated kernel's values. */
function taps(values: number[], cin: number, cout: number): number[] {
  const out: number[] = [];
  for (let a = 0; a < KERNEL[0]; a++)
    for (let b = 0; b < KERNEL[1]; b++)
      for (let k = 0; k < cin * cout; k++) out.push(values[(a * DILATION[0] * SPREAD[1] + b * DILATION[1]) * cin * cout + k]);
  return out;
}

// Loaded before the tests are collected: the graph step exists on native TensorFlow only.
const backend: EngineBackend = await testBackend();

describe('Conv2D with a dilation rate', () => {
  it('spans (k - 1) * d + 1 pixels, as Keras computes the shape, with the parameters of the undilated kernel', () => {
    const valid = summarize({ ...dilatedSpec, layers: layers({ dilationRate: DILATION, padding: 'valid' }) }, { numClasses: CLASSES });
    expect(valid.errors).toEqual([]);
    expect(valid.layers[1].outputShape).toEqual([9 - SPREAD[0] + 1, 9 - SPREAD[1] + 1, 3]);
    expect(valid.layers[1].params).toBe(3 * 2 * 2 * 3 + 3);
  });

  it('refuses strides above 1 with a dilation above 1, in words naming both', () => {
    const s = summarize({ ...dilatedSpec, layers: layers({ dilationRate: 2, strides: [1, 2] }) }, { numClasses: CLASSES });
    expect(s.errors.map((e) => e.message).join('\n')).toMatch(/Conv2D cannot combine strides above 1 with a dilation rate above 1/);
  });

  it.runIf(backend.native)('takes the graph step trainOnBatch takes on the kernel written out with zeros', async () => {
    const tf = backend.tf;
    const settings = { ...DEFAULT_TRAINING, optimizer: 'sgd' as const, learningRate: 0.5, momentum: 0 };
    const graph = buildModel(tf, dilatedSpec, CLASSES);
    const eager = buildModel(tf, spreadSpec, CLASSES);
    compileModel(tf, graph, settings);
    compileModel(tf, eager, settings);
    const start = await Promise.all(
      graph.getWeights().map(async (w) => ({ shape: [...w.shape] as number[], values: Array.from(await w.data()) })),
    );
    eager.setWeights(
      start.map((w, i) =>
        i === 2 ? tf.tensor(spreadKernel(w.values, w.shape), [...SPREAD, w.shape[2], w.shape[3]]) : tf.tensor(w.values, w.shape),
      ),
    );
    const step = GraphTrainStep.create(tf, graph, dilatedSpec, settings, CLASSES);
    const { xs, ys } = seededBatch(tf, dilatedSpec.inputShape, 6, CLASSES, false, 7);
    const [eagerLoss] = (await eager.trainOnBatch(xs, ys)) as number[];
    const [graphLoss] = await step.run(xs, ys);
    step.sync();
    const read = (ws: Tensor[]) => Promise.all(ws.map(async (w) => Array.from(await w.data())));
    const after = await read(graph.getWeights());
    const eagerAfter = await read(eager.getWeights());
    eagerAfter[2] = taps(eagerAfter[2], start[2].shape[2], start[2].shape[3]);
    expect(graphLoss).toBeCloseTo(eagerLoss, 5);
    // The step moved the dilated kernel, as the written-out kernel's taps moved.
    expect(worstRelative([after[2]], [start[2].values])).toBeGreaterThan(1e-3);
    expect(worstRelative(after, eagerAfter)).toBeLessThan(1e-3);
    step.dispose();
    tf.dispose([xs, ys]);
    graph.dispose();
    eager.dispose();
  });

  it('names the layer and the reason when tfjs would train it', () => {
    expect(eagerStepFault(dilatedSpec)).toMatch(
      /^layer 2 "dilated" \(Conv2D\) cannot be trained on this backend: dilation rate 2x3 has no gradient in TensorFlow\.js/,
    );
    expect(eagerStepFault(spreadSpec)).toBeUndefined();
  });

  it('fails a run on the eager step before its first batch, with that message', async () => {
    const data: Dataset = await tinyMnist(64);
    const experiment: ExperimentSpec = {
      model: {
        name: 'dilated',
        inputShape: [28, 28, 1],
        layers: [...layers({ dilationRate: 2 }).slice(1, 3), { type: 'Dense', units: 10, activation: 'softmax' }],
      },
      training: { ...DEFAULT_TRAINING, epochs: 1, batchSize: 16 },
    };
    const batches: number[] = [];
    process.env.LAYERBENCH_EAGER_STEP = '1';
    try {
      const result = await train({ backend, experiment, dataset: data, onEvent: (e) => e.type === 'batch' && batches.push(e.batch) });
      result.dispose();
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe('INVALID_MODEL');
      expect(result.error?.message).toMatch(
        /layer 1 "dilated" \(Conv2D\) cannot be trained on this backend: dilation rate 2 has no gradient/,
      );
      expect(batches).toEqual([]);
    } finally {
      delete process.env.LAYERBENCH_EAGER_STEP;
    }
  });
});
