/**
 * The .keras export of a run carries Layerbench's real optimizer state from the run's last checkpoint, so
 * training continued in Keras does not restart Adam: keras.models.load_model gives an optimizer whose
 * iterations and moments equal Layerbench's. A state that belongs to another optimizer fails the export.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentSpec } from '../../../common/spec.js';
import type { Dataset } from '../../../main/data/dataset.js';
import { CheckpointStore } from '../../../main/engine/checkpoint.js';
import type { EngineBackend } from '../../../main/engine/tf-types.js';
import { train } from '../../../main/engine/train.js';
import { ExportError, exportModel } from '../../../main/export/export-run.js';
import { testBackend } from '../helpers/backend.js';
import { tinyExperiment, tinyMnist } from '../helpers/fixtures.js';
import { writeRunFolder } from './models.js';
import { maxAbsDiff, needsPython, python, runPython } from './python-env.js';

let backend: EngineBackend;
let data: Dataset;
let work: string;

beforeAll(async () => {
  backend = await testBackend();
  data = await tinyMnist(64);
  work = await mkdtemp(path.join(tmpdir(), 'lb-optstate-'));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

interface LayerbenchState {
  iterations: number;
  /** TensorFlow.js slot name (`conv2d/kernel/m`) -> values. */
  slots: Map<string, Float32Array>;
}

/** Trains `experiment` as a run folder with checkpoints; returns its folder and the optimizer state it kept. */
async function trainedRun(name: string, experiment: ExperimentSpec): Promise<{ run: string; state: LayerbenchState }> {
  const run = path.join(work, name);
  const checkpoints = new CheckpointStore(path.join(run, 'checkpoints'));
  const result = await train({ backend, experiment, dataset: data, checkpoints });
  expect(result.status).toBe('finished');
  await writeRunFolder(backend.tf, result.model!, experiment, run, { id: 'mnist', source: '/data/mnist', classNames: data.classNames });
  result.dispose();
  const restored = (await checkpoints.restore(backend.tf))!;
  const slots = new Map<string, Float32Array>();
  let iterations = -1;
  for (const { name: slot, tensor } of restored.optimizerWeights) {
    // Variable names may carry TensorFlow.js's uniqueness suffix (kernel_1): the layer and variable are what count.
    if (slot === 'iter') iterations = (await tensor.data())[0];
    else slots.set(slot.replace(/_\d+(\/[^/]+)$/, '$1'), (await tensor.data()) as Float32Array);
    tensor.dispose();
  }
  restored.weights.forEach((w) => w.dispose());
  return { run, state: { iterations, slots } };
}

interface KerasState {
  optimizer: string;
  iterations: number;
  slots: { path: string; shape: number[]; values: number[] }[];
}

const TRAINABLE = ['conv2d/kernel', 'conv2d/bias', 'batch_normalization/gamma', 'batch_normalization/beta', 'dense/kernel', 'dense/bias'];

describe('.keras export: optimizer state', () => {
  it.skipIf(!python.ok)(`Keras's optimizer iterations and slots equal Layerbench's after training${needsPython}`, async () => {
    // 48 training images in batches of 32 over 2 epochs: 4 steps.
    const settings = { epochs: 2, validationSplit: 0.25, learningRate: 0.01 };
    const cases = [
      {
        optimizer: 'adam' as const,
        expected: (s: LayerbenchState) => TRAINABLE.flatMap((v) => [s.slots.get(`${v}/m`)!, s.slots.get(`${v}/v`)!]),
      },
      {
        optimizer: 'rmsprop' as const,
        expected: (s: LayerbenchState) => [
          ...TRAINABLE.map((v) => s.slots.get(`${v}/rms`)!),
          ...TRAINABLE.map((v) => s.slots.get(`${v}/momentum`)!),
        ],
      },
      {
        optimizer: 'sgd' as const,
        // Keras's SGD momentum holds the step (-lr times TensorFlow.js's accumulated gradient).
        expected: (s: LayerbenchState) => TRAINABLE.map((v) => s.slots.get(`${v}/momentum`)!.map((x) => -settings.learningRate * x)),
      },
    ];
    const runs = [];
    for (const c of cases) {
      const { run, state } = await trainedRun(c.optimizer, tinyExperiment({ ...settings, optimizer: c.optimizer, momentum: 0.5 }));
      const file = path.join(work, `${c.optimizer}.keras`);
      await exportModel(run, 'keras', file);
      runs.push({ ...c, state, file });
    }
    const lines = runPython(
      'keras_optimizer_state.py',
      runs.map((r) => r.file),
    )
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as KerasState);
    expect(lines).toHaveLength(runs.length);
    for (const [i, r] of runs.entries()) {
      const keras = lines[i];
      expect(r.state.iterations, r.optimizer).toBe(4);
      expect(keras.iterations, r.optimizer).toBe(r.state.iterations);
      const expected = r.expected(r.state);
      expect(
        keras.slots.map((s) => s.values.length),
        r.optimizer,
      ).toEqual(expected.map((e) => e.length));
      for (const [j, slot] of keras.slots.entries()) {
        // Trained slots, not a fresh optimizer's zeros.
        expect(
          expected[j].some((x) => x !== 0),
          `${r.optimizer} ${slot.path}`,
        ).toBe(true);
        expect(maxAbsDiff(Float32Array.from(slot.values), expected[j]), `${r.optimizer} ${slot.path}`).toBeLessThanOrEqual(1e-7);
      }
    }
  });

  it('fails the export, naming the checkpoint file, when the saved state belongs to another optimizer', async () => {
    const { run } = await trainedRun('mismatch', tinyExperiment({ epochs: 1, optimizer: 'adam' }));
    // The experiment now says RMSprop, the checkpoint holds Adam's state.
    const rmsprop = tinyExperiment({ epochs: 1, optimizer: 'rmsprop' });
    await writeFile(path.join(run, 'model', 'experiment.json'), JSON.stringify(rmsprop));
    const error = await exportModel(run, 'keras', path.join(work, 'mismatch.keras')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExportError);
    expect((error as ExportError).kind).toBe('input');
    expect((error as ExportError).file).toBe(path.join(run, 'checkpoints', 'last', 'optimizer.json'));
    expect((error as Error).message).toMatch(/holds Adam state, but the experiment trains with RMSProp/);
  });
});
