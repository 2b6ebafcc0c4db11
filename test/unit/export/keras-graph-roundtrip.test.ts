/**
 * Graph specs and Keras. Export: a graph exports as a Keras functional model (.keras and .h5) that the real
 * Keras loads with keras.models.load_model and that predicts what Layerbench predicts, to 1e-4; the Python
 * script builds it with the functional API. Import: a ResNet-style functional model built in Keras
 * (test/python/make_keras_graph_model.py) imports as a graph spec that predicts what Keras predicts.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportModel } from '../../../main/export/export-run.js';
import { kerasLayerOrder } from '../../../main/export/keras-functional.js';
import { kerasModelConfig } from '../../../main/export/keras-config.js';
import { pythonTrainingScript } from '../../../main/export/python-script.js';
import { importModel } from '../../../main/runs/import-model.js';
import { loadModelFromDir } from '../../../main/engine/save.js';
import type { EngineBackend, Tensor } from '../../../main/engine/tf-types.js';
import { summarize } from '../../../common/summarize.js';
import { testBackend } from '../helpers/backend.js';
import { everyGraphFeatureSpec, residualSpec } from '../helpers/graph-specs.js';
import { experimentOf, seededInput, seededModel, writeRunFolder } from './models.js';
import { maxAbsDiff, needsPython, python, runPython } from './python-env.js';

let backend: EngineBackend;
let work: string;

beforeAll(async () => {
  backend = await testBackend();
  work = await mkdtemp(path.join(tmpdir(), 'lb-graph-keras-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('graph specs as Keras functional models', () => {
  it('orders the layers as Keras does (by depth, then depth-first from the output) and writes their inbound nodes', () => {
    const spec = everyGraphFeatureSpec(3);
    const names = summarize(spec).layers.map((l) => l.name);
    // Keras lists the strided path (deeper) before the projection shortcut listed first in the spec.
    const order = kerasLayerOrder(spec).map((i) => names[i]);
    expect(order.indexOf('conv2d_2')).toBeLessThan(order.indexOf('projection'));
    expect(order.indexOf('projection')).toBeGreaterThan(order.indexOf('conv2d_3'));
    expect(order[order.length - 1]).toBe('dense');
    const config = kerasModelConfig(spec) as { class_name: string; config: { layers: { name: string; inbound_nodes: unknown }[] } };
    expect(config.class_name).toBe('Functional');
    const block2 = config.config.layers.find((l) => l.name === 'block2')!;
    expect(JSON.stringify(block2.inbound_nodes)).toContain('"keras_history":["conv2d_3",0,0]');
    expect(JSON.stringify(block2.inbound_nodes)).toContain('"keras_history":["projection",0,0]');
    // A chain stays Sequential.
    expect(kerasModelConfig({ inputShape: [4, 4, 1], layers: [{ type: 'Flatten' }, { type: 'Dense', units: 2 }] }).class_name).toBe(
      'Sequential',
    );
  });

  it.skipIf(!python.ok)(`exports .keras and .h5 that Keras loads and that predict within 1e-4${needsPython}`, async () => {
    const tf = backend.tf;
    const jobs = [];
    const expected: Float32Array[] = [];
    for (const [i, spec] of [everyGraphFeatureSpec(3), residualSpec(4)].entries()) {
      const model = seededModel(tf, spec, 300 + i);
      const x = seededInput(tf, spec, 5, 400 + i);
      const y = model.predict(x) as Tensor;
      const run = path.join(work, `run-${i}`);
      await writeRunFolder(tf, model, experimentOf(spec, { optimizer: 'adam', momentum: 0 }), run);
      const input = path.join(work, `input-${i}.bin`);
      await writeFile(input, await x.data());
      for (const format of ['keras', 'h5'] as const) {
        const file = path.join(work, `graph-${i}.${format}`);
        await exportModel(run, format, file);
        jobs.push({ model: file, input, shape: x.shape, output: path.join(work, `out-${i}-${format}.bin`) });
        expected.push((await y.data()) as Float32Array);
      }
      tf.dispose([x, y]);
      model.dispose();
    }
    await writeFile(path.join(work, 'jobs.json'), JSON.stringify(jobs));
    const lines = runPython('keras_predict.py', [path.join(work, 'jobs.json')])
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { layers: string[]; compiled: boolean; warnings: string[] });
    expect(lines).toHaveLength(jobs.length);
    for (const [j, job] of jobs.entries()) {
      const got = new Float32Array((await readFile(job.output)).buffer.slice(0));
      const diff = maxAbsDiff(got, expected[j]);
      expect(diff, `${job.model}: max abs diff ${diff}`).toBeLessThanOrEqual(1e-4);
      expect(lines[j].layers[0]).toBe('InputLayer');
      expect(lines[j].layers).toContain('Add');
      expect(lines[j].compiled).toBe(true);
      expect(lines[j].warnings.filter((w) => /Skipping|could not be loaded|mismatch/.test(w))).toEqual([]);
    }
    expect(lines[0].layers).toContain('Concatenate');
  });

  it.skipIf(!python.ok).each(['keras', 'h5'])(
    `imports a ResNet-style functional model built in Keras (.%s), predicting what Keras predicts${needsPython}`,
    async (format) => {
      const tf = backend.tf;
      const file = path.join(work, `resnet.${format}`);
      const input = path.join(work, 'resnet-input.bin');
      const output = path.join(work, 'resnet-output.bin');
      const made = JSON.parse(runPython('make_keras_graph_model.py', [file, input, output]).trim().split('\n').pop()!) as {
        shape: number[];
      };
      const result = await importModel(tf, file, path.join(work, `resnet-import-${format}`));
      const spec = result.experiment.model;
      const summary = summarize(spec);
      expect(summary.ok).toBe(true);
      expect(summary.isChain).toBe(false);
      expect(spec.layers.map((l) => l.type)).toEqual(expect.arrayContaining(['Add', 'Concatenate']));
      const model = await loadModelFromDir(tf, result.dir);
      const x = tf.tensor(new Float32Array((await readFile(input)).buffer.slice(0)), made.shape);
      const y = model.predict(x) as Tensor;
      const diff = maxAbsDiff((await y.data()) as Float32Array, new Float32Array((await readFile(output)).buffer.slice(0)));
      expect(diff).toBeLessThanOrEqual(1e-4);
      tf.dispose([x, y]);
      model.dispose();
    },
  );
});

describe('the Python script of a graph spec', () => {
  it.skipIf(!python.ok)(
    `builds the model with Keras's functional API: the same layers, connections and parameters${needsPython}`,
    async () => {
      const spec = everyGraphFeatureSpec(3);
      const text = pythonTrainingScript(experimentOf(spec), { id: 'mnist', source: '/data/mnist', classNames: ['a', 'b', 'c'] });
      expect(text).toContain('block2 = layers.Add(name="block2")([conv2d_3, projection])');
      expect(text).toContain('keras.Model(inputs, dense, name="graph_features")');
      const script = path.join(work, 'graph_train.py');
      await writeFile(script, text);
      const probe = path.join(work, 'probe.py');
      await writeFile(
        probe,
        [
          'import importlib.util, json, sys',
          'spec = importlib.util.spec_from_file_location("train", sys.argv[1])',
          'train = importlib.util.module_from_spec(spec); spec.loader.exec_module(train)',
          'm = train.build_model()',
          'links = {l.name: [t._keras_history[0].name for t in (l.input if isinstance(l.input, list) else [l.input])] for l in m.layers[1:]}',
          'print(json.dumps({"params": m.count_params(), "links": links}))',
        ].join('\n'),
      );
      const built = JSON.parse(runPython(probe, [script]).trim().split('\n').pop()!) as { params: number; links: Record<string, string[]> };
      const summary = summarize(spec);
      expect(built.params).toBe(summary.totalParams);
      for (const layer of summary.layers) {
        const from = layer.inputs.map((j) => (j < 0 ? 'input_layer' : summary.layers[j].name));
        expect(built.links[layer.name], layer.name).toEqual(from);
      }
    },
  );
});
