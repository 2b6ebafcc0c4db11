/**
 * Import without Python: Layerbench's own .keras, .h5 and TensorFlow.js exports come back as the same spec
 * and the same predictions, and foreign configurations Layerbench cannot train are refused with every
 * unsupported layer named.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelFromDir } from '../../../main/engine/save.js';
import type { EngineBackend, LayersModel, Tensor } from '../../../main/engine/tf-types.js';
import { exportModel } from '../../../main/export/export-run.js';
import { importModel } from '../../../main/runs/import-model.js';
import { specFromKerasConfig } from '../../../main/export/spec-from-keras.js';
import { testBackend } from '../helpers/backend.js';
import { experimentOf, seededInput, seededModel, VECTOR_MODEL, writeRunFolder } from './models.js';
import { maxAbsDiff } from './python-env.js';

let backend: EngineBackend;
let work: string;
let run: string;
let x: Tensor;
let expected: Float32Array;

const predict = async (m: LayersModel) => (await (m.predict(x) as Tensor).data()) as Float32Array;

beforeAll(async () => {
  backend = await testBackend();
  work = await mkdtemp(path.join(tmpdir(), 'lb-reimport-'));
  run = path.join(work, 'run');
  const model = seededModel(backend.tf, VECTOR_MODEL, 9);
  x = seededInput(backend.tf, VECTOR_MODEL, 4, 10);
  expected = await predict(model);
  await writeRunFolder(backend.tf, model, experimentOf(VECTOR_MODEL), run);
  model.dispose();
});

afterAll(async () => {
  x?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('import round trip', () => {
  for (const format of ['keras', 'h5', 'tfjs'] as const) {
    it(`a ${format} export imports as the same spec and predictions`, async () => {
      const file = path.join(work, format === 'tfjs' ? 'tfjs-model' : `m.${format}`);
      await exportModel(run, format, file);
      if (format === 'tfjs') await rm(path.join(file, 'experiment.json')); // read the spec from model.json's topology
      const out = path.join(work, `imported-${format}`);
      const result = await importModel(backend.tf, format === 'tfjs' ? path.join(file, 'model.json') : file, out);
      expect(result.experiment.model.layers.map((l) => l.type)).toEqual(VECTOR_MODEL.layers.map((l) => l.type));
      expect(result.experiment.model.inputShape).toEqual(VECTOR_MODEL.inputShape);
      if (format !== 'tfjs') expect(result.experiment.training).toMatchObject({ optimizer: 'rmsprop', learningRate: 0.002, momentum: 0.5 });
      const model = await loadModelFromDir(backend.tf, out);
      expect(maxAbsDiff(await predict(model), expected)).toBeLessThanOrEqual(1e-6);
      model.dispose();
      const saved = JSON.parse(await readFile(path.join(out, 'experiment.json'), 'utf8'));
      expect(saved.model.layers[0]).toMatchObject({
        type: 'Conv2D',
        filters: 4,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'selu',
      });
    });
  }
});

describe('foreign configurations', () => {
  const input = { class_name: 'InputLayer', config: { batch_shape: [null, 8, 8, 1], name: 'input' } };
  const conv = { class_name: 'Conv2D', config: { name: 'c', filters: 2, kernel_size: [3, 3], activation: 'relu' } };

  it('names every unsupported layer and setting at once', () => {
    const config = {
      class_name: 'Sequential',
      config: {
        layers: [
          input,
          { class_name: 'SeparableConv2D', config: { name: 'dilated', filters: 2, kernel_size: [3, 3], dilation_rate: [2, 2] } },
          { class_name: 'LSTM', config: { name: 'memory' } },
          { class_name: 'Dense', config: { name: 'gelu_dense', units: 2, activation: 'gelu' } },
        ],
      },
    };
    expect(() => specFromKerasConfig(config, 'x.keras')).toThrow(
      /x\.keras: the model uses what Layerbench cannot train:\n {2}- layer 2 "dilated" \(SeparableConv2D\): dilation_rate \[2,2\] is not supported.*\n {2}- layer 3 "memory" \(LSTM\): layer type LSTM is not supported\n {2}- layer 4 "gelu_dense" \(Dense\): activation "gelu" is not supported/,
    );
  });

  it('refuses channels_first, a missing image input, a shared layer and a second output; reads a branch as a graph', () => {
    const cf = {
      class_name: 'Sequential',
      config: { layers: [input, { ...conv, config: { ...conv.config, data_format: 'channels_first' } }] },
    };
    expect(() => specFromKerasConfig(cf, 'a.h5')).toThrow(/data_format "channels_first" is not supported/);
    const flat = {
      class_name: 'Sequential',
      config: {
        layers: [
          { class_name: 'InputLayer', config: { batch_shape: [null, 10] } },
          { class_name: 'Dense', config: { units: 2 } },
        ],
      },
    };
    expect(() => specFromKerasConfig(flat, 'b.h5')).toThrow(/no image input shape/);
    const branch = {
      class_name: 'Functional',
      config: {
        layers: [
          { ...input, name: 'input', inbound_nodes: [] },
          { ...conv, name: 'c', inbound_nodes: [[['input', 0, 0, {}]]] },
          {
            class_name: 'Add',
            name: 'add',
            config: { name: 'add' },
            inbound_nodes: [
              [
                ['c', 0, 0, {}],
                ['input', 0, 0, {}],
              ],
            ],
          },
        ],
      },
    };
    // A branch and a merge import as a graph spec: the Add reads both ("input" is the model input).
    const same = { ...conv, config: { ...conv.config, filters: 1, padding: 'same' } };
    const graph = specFromKerasConfig(
      {
        ...branch,
        config: {
          layers: [
            branch.config.layers[0],
            { ...same, name: 'c', inbound_nodes: branch.config.layers[1].inbound_nodes },
            branch.config.layers[2],
          ],
        },
      },
      'c.keras',
    );
    expect(graph.spec.layers.map((l) => [l.type, l.inputs])).toEqual([
      ['Conv2D', undefined],
      ['Add', ['c', 'input']],
    ]);
    const shared = {
      class_name: 'Functional',
      config: {
        layers: [
          { ...input, name: 'input', inbound_nodes: [] },
          { ...conv, name: 'c', inbound_nodes: [[['input', 0, 0, {}]], [['input', 0, 0, {}]]] },
        ],
      },
    };
    expect(() => specFromKerasConfig(shared, 'd.keras')).toThrow(/layer 2 "c" \(Conv2D\) is called 2 times \(a shared layer\)/);
    const twoOutputs = {
      class_name: 'Functional',
      config: {
        layers: [
          { ...input, name: 'input', inbound_nodes: [] },
          { ...conv, name: 'c', inbound_nodes: [[['input', 0, 0, {}]]] },
          { class_name: 'Flatten', name: 'f', config: { name: 'f' }, inbound_nodes: [[['input', 0, 0, {}]]] },
        ],
      },
    };
    expect(() => specFromKerasConfig(twoOutputs, 'e.keras')).toThrow(/the output of "c" is not read by any layer \(several outputs\)/);
  });

  it('maps a Keras 2 style Sequential (batch_input_shape on the first layer, ReLU and Softmax layers)', () => {
    const k2 = {
      class_name: 'Sequential',
      config: {
        name: 'old',
        layers: [
          { class_name: 'Conv2D', config: { ...conv.config, batch_input_shape: [null, 8, 8, 1] } },
          { class_name: 'ReLU', config: { name: 'r' } },
          { class_name: 'Flatten', config: { name: 'f' } },
          { class_name: 'Dense', config: { name: 'd', units: 3, use_bias: false } },
          { class_name: 'Softmax', config: { name: 's', axis: -1 } },
        ],
      },
    };
    const { spec } = specFromKerasConfig(k2, 'old.h5');
    expect(spec.inputShape).toEqual([8, 8, 1]);
    expect(spec.layers.map((l) => l.type)).toEqual(['Conv2D', 'Activation', 'Flatten', 'Dense', 'Activation']);
    expect(spec.layers[3]).toMatchObject({ units: 3, useBias: false });
  });
});
