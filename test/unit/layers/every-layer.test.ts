/**
 * Every registered layer type, one row each: a small model around the layer, run through everything a layer
 * type must support. Summary parameters equal tfjs's, the model builds, one graph step equals tfjs's
 * trainOnBatch, the .keras and .h5 exports load in the real Keras with the same predictions, and importing
 * them gives back the same spec. Adding a layer type means adding its row here (the first test fails
 * until there is one).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAYERS, LAYER_TYPES, type LayerType } from '../../../common/layers/index.js';
import type { LayerSpec, ModelSpec } from '../../../common/spec.js';
import { summarize } from '../../../common/summarize.js';
import { buildModel } from '../../../main/engine/build-model.js';
import { layersInSpecOrder } from '../../../main/engine/model-layers.js';
import { loadModelFromDir } from '../../../main/engine/save.js';
import type { EngineBackend, LayersModel, Tensor } from '../../../main/engine/tf-types.js';
import { exportModel } from '../../../main/export/export-run.js';
import { kerasLayerOrder } from '../../../main/export/keras-functional.js';
import { importModel } from '../../../main/runs/import-model.js';
import { testBackend } from '../helpers/backend.js';
import { compareOneStep, worstRelative } from '../helpers/step-compare.js';
import { experimentOf, seededInput, seededModel, writeRunFolder } from '../export/models.js';
import { maxAbsDiff, needsPython, python, runPython } from '../export/python-env.js';

const CLASSES = 3;
const INPUT: [number, number, number] = [6, 6, 2];

// Every field spelled out and every layer named, as an import from Keras gives them back.
const conv = (name: string, extra: Partial<Extract<LayerSpec, { type: 'Conv2D' }>> = {}): LayerSpec => ({
  type: 'Conv2D',
  filters: 2,
  kernelSize: 3,
  strides: 1,
  padding: 'same',
  activation: 'relu',
  useBias: true,
  name,
  ...extra,
});
const flatten: LayerSpec = { type: 'Flatten', name: 'flat' };
const output: LayerSpec = { type: 'Dense', units: CLASSES, activation: 'softmax', useBias: true, name: 'scores' };

interface Row {
  layers: LayerSpec[];
  /**
   * The model the graph step is compared on, when it is not `layers`: Dropout draws its masks in the graph
   * from another random stream than tfjs, so its step compares at rate 0 (graph-step.test.ts checks the masks).
   */
  stepLayers?: LayerSpec[];
}

/**
 * One row per layer type. A layer with weights before the tested one, so the step's backward pass runs
 * through it (the first layer with weights needs no gradient for its input).
 */
const ROWS: Record<LayerType, Row> = {
  Conv2D: {
    layers: [
      conv('c0', { dilationRate: [2, 1] }),
      conv('tested', { filters: 3, kernelSize: [3, 2], strides: [1, 2], activation: 'tanh', useBias: false }),
      flatten,
      output,
    ],
    // tfjs has no gradient for a dilated convolution: dilated-conv-step.test.ts checks the graph's step.
    stepLayers: [
      conv('c0'),
      conv('tested', { filters: 3, kernelSize: [3, 2], strides: [1, 2], activation: 'tanh', useBias: false }),
      flatten,
      output,
    ],
  },
  DepthwiseConv2D: {
    layers: [
      conv('c0'),
      {
        type: 'DepthwiseConv2D',
        kernelSize: [3, 2],
        strides: [1, 2],
        padding: 'valid',
        depthMultiplier: 2,
        activation: 'tanh',
        useBias: true,
        name: 'tested',
      },
      flatten,
      output,
    ],
  },
  SeparableConv2D: {
    layers: [
      conv('c0'),
      {
        type: 'SeparableConv2D',
        filters: 3,
        kernelSize: [2, 3],
        strides: [2, 1],
        padding: 'same',
        depthMultiplier: 2,
        activation: 'elu',
        useBias: true,
        name: 'tested',
      },
      flatten,
      output,
    ],
  },
  MaxPooling2D: {
    layers: [conv('c0'), { type: 'MaxPooling2D', poolSize: 2, strides: 1, padding: 'valid', name: 'tested' }, flatten, output],
  },
  AveragePooling2D: {
    layers: [conv('c0'), { type: 'AveragePooling2D', poolSize: [2, 3], strides: [2, 1], padding: 'same', name: 'tested' }, flatten, output],
  },
  GlobalAveragePooling2D: { layers: [conv('c0'), { type: 'GlobalAveragePooling2D', name: 'tested' }, output] },
  Dropout: {
    layers: [conv('c0'), { type: 'Dropout', rate: 0.3, name: 'tested' }, flatten, output],
    stepLayers: [conv('c0'), { type: 'Dropout', rate: 0, name: 'tested' }, flatten, output],
  },
  BatchNormalization: {
    layers: [conv('c0'), { type: 'BatchNormalization', momentum: 0.9, epsilon: 0.01, name: 'tested' }, flatten, output],
  },
  Flatten: { layers: [conv('c0'), { type: 'Flatten', name: 'tested' }, output] },
  Dense: {
    layers: [flatten, { type: 'Dense', units: 5, activation: 'elu', useBias: false, name: 'd0' }, { ...output, name: 'tested' }],
  },
  Activation: {
    layers: [conv('c0', { activation: 'linear' }), { type: 'Activation', activation: 'selu', name: 'tested' }, flatten, output],
  },
  // The merges: c0's output feeds c1 and the merge (a branch whose gradients the step sums).
  Add: { layers: [conv('c0'), conv('c1', { activation: 'tanh' }), { type: 'Add', inputs: ['c1', 'c0'], name: 'tested' }, flatten, output] },
  Concatenate: {
    layers: [
      conv('c0'),
      conv('c1', { filters: 3, kernelSize: 1, inputs: ['input'] }),
      { type: 'Concatenate', inputs: ['c0', 'c1'], name: 'tested' },
      flatten,
      output,
    ],
  },
};

const TYPES = Object.keys(ROWS) as LayerType[];
const specOf = (type: LayerType, layers = ROWS[type].layers): ModelSpec => ({ name: `every_${type}`, inputShape: INPUT, layers });

// Loaded before the tests are collected: the graph step exists on native TensorFlow only.
const backend: EngineBackend = await testBackend();
let work: string;

interface Exported {
  type: LayerType;
  format: 'keras' | 'h5';
  file: string;
  input: string;
  shape: number[];
  expected: Float32Array;
}
const exported: Exported[] = [];
const inputs = new Map<LayerType, Tensor>();

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'lb-every-layer-'));
  const tf = backend.tf;
  for (const [i, type] of TYPES.entries()) {
    const spec = specOf(type);
    const model = seededModel(tf, spec, 300 + i);
    const x = seededInput(tf, spec, 4, 400 + i);
    const expected = (await (model.predict(x) as Tensor).data()) as Float32Array;
    const run = path.join(work, `run-${type}`);
    await writeRunFolder(tf, model, experimentOf(spec), run, { id: 'mnist', source: '/data/mnist', classNames: ['a', 'b', 'c'] });
    model.dispose();
    const input = path.join(work, `input-${type}.bin`);
    await writeFile(input, await x.data());
    inputs.set(type, x);
    for (const format of ['keras', 'h5'] as const) {
      const file = path.join(work, `${type}.${format}`);
      await exportModel(run, format, file);
      exported.push({ type, format, file, input, shape: x.shape, expected });
    }
  }
});

afterAll(async () => {
  for (const x of inputs.values()) x.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('every layer type', () => {
  it('has a row in the table, and each row uses its layer type', () => {
    expect([...TYPES].sort()).toEqual([...LAYER_TYPES].sort());
    for (const type of TYPES) expect(ROWS[type].layers.map((l) => l.type)).toContain(type);
  });

  for (const type of Object.keys(ROWS) as LayerType[]) {
    describe(type, () => {
      it("builds, with the summary's shapes and parameter count as tfjs has them", () => {
        const spec = specOf(type);
        const summary = summarize(spec, { numClasses: CLASSES });
        expect(summary.errors).toEqual([]);
        const model: LayersModel = buildModel(backend.tf, spec, CLASSES);
        expect(summary.totalParams).toBe(model.countParams());
        // A graph builds a functional model: its layers are found by name (it lists an InputLayer first).
        const layers = layersInSpecOrder(model, spec);
        expect(summary.layers.map((l) => l.outputShape)).toEqual(layers.map((l) => (l.outputShape as number[]).slice(1)));
        model.dispose();
      });

      it.runIf(backend.native)('takes the same training step in the graph as trainOnBatch', async () => {
        const spec = specOf(type, ROWS[type].stepLayers);
        const r = await compareOneStep(backend.tf, spec, CLASSES, { optimizer: 'sgd', learningRate: 0.5, momentum: 0 });
        expect(r.graph.names).toEqual(r.eager.names);
        expect(r.graphLoss).toBeCloseTo(r.eagerLoss, 5);
        // The step moved the weights, the same way on both sides.
        expect(worstRelative(r.initial, r.eager.values.slice(0, r.initial.length))).toBeGreaterThan(1e-3);
        expect(worstRelative(r.graph.values, r.eager.values)).toBeLessThan(1e-3);
      });

      for (const format of ['keras', 'h5'] as const) {
        it(`imports its .${format} export as the same spec, predicting the same`, async () => {
          const e = exported.find((x) => x.type === type && x.format === format)!;
          const out = path.join(work, `imported-${type}-${format}`);
          const result = await importModel(backend.tf, e.file, out);
          expect(result.experiment.model).toEqual(specOf(type));
          const model = await loadModelFromDir(backend.tf, out);
          const got = (await (model.predict(inputs.get(type)!) as Tensor).data()) as Float32Array;
          expect(maxAbsDiff(got, e.expected)).toBeLessThanOrEqual(1e-6);
          model.dispose();
        });
      }
    });
  }

  // One Python process for every row and both formats: loading TensorFlow is the slow part.
  it.skipIf(!python.ok)(
    `loads every row's .keras and .h5 export in Keras, with the same layers and predictions${needsPython}`,
    async () => {
      const jobs = exported.map((e) => ({ model: e.file, input: e.input, shape: e.shape, output: `${e.file}.out.bin` }));
      await writeFile(path.join(work, 'jobs.json'), JSON.stringify(jobs));
      const lines = runPython('keras_predict.py', [path.join(work, 'jobs.json')])
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { layers: string[]; summary: { output_shape: number[]; params: number }[]; warnings: string[] });
      expect(lines).toHaveLength(jobs.length);
      for (const [j, e] of exported.entries()) {
        const label = `${e.type} as .${e.format}`;
        // A graph loads as a functional model: its InputLayer first, then its layers in Keras's order.
        const spec = specOf(e.type);
        const order = kerasLayerOrder(spec);
        const chain = summarize(spec).isChain;
        const classes = order.map((i) => LAYERS[spec.layers[i].type].keras.className);
        expect(lines[j].layers, label).toEqual(chain ? classes : ['InputLayer', ...classes]);
        // Layerbench's summary shows every layer's shape and parameters as Keras's model.summary() does.
        const summary = summarize(spec, { numClasses: CLASSES });
        expect(
          order.map((i) => ({ output_shape: summary.layers[i].outputShape, params: summary.layers[i].params })),
          label,
        ).toEqual(chain ? lines[j].summary : lines[j].summary.slice(1));
        const got = new Float32Array((await readFile(jobs[j].output)).buffer.slice(0));
        expect(maxAbsDiff(got, e.expected), label).toBeLessThanOrEqual(1e-4);
        expect(
          lines[j].warnings.filter((w) => /Skipping|could not be loaded/.test(w)),
          label,
        ).toEqual([]);
      }
    },
  );
});
