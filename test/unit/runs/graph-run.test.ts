/**
 * A run of a graph spec (a residual block and a Concatenate) through the run store: trained, stopped
 * mid-epoch, resumed from its checkpoint to the same weights as an uninterrupted run, evaluated, predicted
 * with and exported to Keras with its optimizer state. Checks that functional models save, load and
 * resume as Sequential ones do.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TRAINING, type ExperimentSpec } from '../../../common/spec.js';
import type { Dataset } from '../../../main/data/dataset.js';
import { loadModelFromDir } from '../../../main/engine/save.js';
import type { EngineBackend, Tensor } from '../../../main/engine/tf-types.js';
import { exportModel } from '../../../main/export/export-run.js';
import { evaluateRun, predictWithRun } from '../../../main/runs/evaluate-run.js';
import { resumeRun } from '../../../main/runs/resume-run.js';
import { openRun } from '../../../main/runs/run-store.js';
import { startRun } from '../../../main/runs/run-training.js';
import { python, runPython } from '../export/python-env.js';
import { testBackend } from '../helpers/backend.js';
import { tinyMnist } from '../helpers/fixtures.js';
import { ctxOf, maxAbsDiff, tempDir, weightsIn } from './helpers.js';

const experiment: ExperimentSpec = {
  model: {
    name: 'tiny_graph',
    inputShape: [28, 28, 1],
    layers: [
      { type: 'Conv2D', filters: 4, kernelSize: 3, strides: 2, activation: 'relu', name: 'stem' },
      { type: 'Conv2D', filters: 4, kernelSize: 3, padding: 'same', useBias: false },
      { type: 'BatchNormalization' },
      { type: 'Activation', activation: 'relu' },
      { type: 'Add', inputs: ['activation', 'stem'] },
      { type: 'Conv2D', filters: 3, kernelSize: 1, inputs: ['stem'], name: 'side' },
      { type: 'Concatenate', inputs: ['add', 'side'] },
      { type: 'MaxPooling2D', poolSize: 2 },
      { type: 'Dropout', rate: 0.2 },
      { type: 'Flatten' },
      { type: 'Dense', units: 10, activation: 'softmax' },
    ],
  },
  training: { ...DEFAULT_TRAINING, epochs: 3, batchSize: 32, validationSplit: 0.25, seed: 5 },
};

let backend: EngineBackend;
let dataset: Dataset;
let reference: Float32Array;
const loadDataset = async () => dataset;

beforeAll(async () => {
  backend = await testBackend();
  dataset = await tinyMnist(240);
  const dir = path.join(await tempDir('graph-ref'), 'run');
  expect((await startRun(ctxOf(backend), { dir, experiment, dataset })).status).toBe('finished');
  reference = await weightsIn(path.join(dir, 'model'));
});

describe('a run of a graph spec', () => {
  it('stops mid-epoch, resumes to the weights of an uninterrupted run, evaluates, predicts and exports', async () => {
    const dir = path.join(await tempDir('graph-stop'), 'run');
    const stop = new AbortController();
    const stopped = await startRun(
      ctxOf(backend, { signal: stop.signal, batchEventIntervalMs: 0, onEvent: (e) => e.type === 'batch' && e.epoch === 2 && e.batch === 2 && stop.abort() }),
      { dir, experiment, dataset },
    );
    expect(stopped.status).toBe('stopped');
    expect(stopped.history.map((r) => r.epoch)).toEqual([1]);

    const resumed = await resumeRun(ctxOf(backend), { dir, loadDataset });
    expect(resumed.status).toBe('finished');
    expect(resumed.history.map((r) => r.epoch)).toEqual([1, 2, 3]);
    expect(maxAbsDiff(await weightsIn(path.join(dir, 'model')), reference)).toBeLessThan(1e-4);
    const run = await openRun(dir);
    expect(run).toMatchObject({ state: 'finished', epochsDone: 3, problems: [] });
    expect(run.info?.experiment.model.layers.some((l) => l.type === 'Add')).toBe(true);

    const evaluation = await evaluateRun(backend, { dir, loadDataset });
    expect(evaluation.count).toBeGreaterThan(0);
    // The loaded functional model scores the validation split as training did at its last epoch.
    expect(evaluation.loss).toBeCloseTo(resumed.history[2].val_loss!, 4);
    expect(evaluation.accuracy).toBeCloseTo(resumed.history[2].val_accuracy!, 6);

    // A digit from the data as a PNG file: predicted like any image file.
    const image = path.join(dir, '..', 'digit.png');
    await writeFile(image, await sharp(Buffer.from(dataset.train.images.slice(0, 784)), { raw: { width: 28, height: 28, channels: 1 } }).png().toBuffer());
    const { predictions } = await predictWithRun(backend, { dir, files: [image], loadDataset });
    expect(predictions[0].top[0].probability).toBeGreaterThan(0);

    // The .keras export carries the run's optimizer state for the functional model's variables.
    const exported = await exportModel(dir, 'keras', path.join(dir, '..', 'graph.keras'));
    expect(exported.path).toMatch(/graph\.keras$/);
    if (!python.ok) return;
    // Keras loads it, optimizer state included (nothing skipped), and predicts as the run's model does.
    const tf = backend.tf;
    const model = await loadModelFromDir(tf, path.join(dir, 'model'));
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 3);
    const y = model.predict(x) as Tensor;
    const input = path.join(dir, '..', 'x.bin');
    const output = path.join(dir, '..', 'y.bin');
    await writeFile(input, await x.data());
    await writeFile(path.join(dir, '..', 'jobs.json'), JSON.stringify([{ model: exported.path, input, shape: x.shape, output }]));
    const line = JSON.parse(runPython('keras_predict.py', [path.join(dir, '..', 'jobs.json')]).trim().split('\n').pop()!) as { warnings: string[] };
    expect(line.warnings.filter((w) => /Skipping|could not be loaded|mismatch/.test(w))).toEqual([]);
    const got = new Float32Array((await readFile(output)).buffer.slice(0));
    expect(maxAbsDiff(got, (await y.data()) as Float32Array)).toBeLessThanOrEqual(1e-4);
    tf.dispose([x, y]);
    model.dispose();
  });
});
