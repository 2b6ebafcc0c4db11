import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../../main/data/dataset.js';
import { CheckpointStore } from '../../../main/engine/checkpoint.js';
import { buildModel, compileModel } from '../../../main/engine/build-model.js';
import { SaveError } from '../../../main/engine/save.js';
import type { EngineBackend, LayersModel } from '../../../main/engine/tf-types.js';
import { appendLineDurable } from '../../../main/runs/run-folder.js';
import { resumeRun } from '../../../main/runs/resume-run.js';
import { openRun } from '../../../main/runs/run-store.js';
import { RunError, startRun } from '../../../main/runs/run-training.js';
import { testBackend } from '../helpers/backend.js';
import { tinyExperiment, tinyMnist } from '../helpers/fixtures.js';
import { ctxOf, faultyFs, maxAbsDiff, tempDir, weightsIn } from './helpers.js';

let backend: EngineBackend;
let dataset: Dataset;
const experiment = tinyExperiment({ epochs: 2, seed: 5 });
const loadDataset = async () => dataset;
let referenceWeights: Float32Array;
let writesPerRun = 0;

beforeAll(async () => {
  backend = await testBackend();
  dataset = await tinyMnist(200);
  const dir = path.join(await tempDir('fault-ref'), 'run');
  const counting = faultyFs(0);
  const outcome = await startRun(ctxOf(backend, { fs: counting.fs }), { dir, experiment, dataset });
  expect(outcome.status).toBe('finished');
  referenceWeights = await weightsIn(path.join(dir, 'model'));
  writesPerRun = counting.calls();
});

async function trainedModel(fill: number): Promise<LayersModel> {
  const model = buildModel(backend.tf, experiment.model, 10);
  compileModel(backend.tf, model, experiment.training);
  model.setWeights(model.getWeights().map((w) => backend.tf.fill(w.shape, fill)));
  // One step, so the optimizer has moments to checkpoint.
  const xs = backend.tf.zeros([2, 28, 28, 1]);
  const ys = backend.tf.oneHot([1, 2], 10).toFloat();
  await model.trainOnBatch(xs, ys);
  backend.tf.dispose([xs, ys]);
  return model;
}

describe('faults while writing a checkpoint', () => {
  for (const code of ['ENOSPC', 'EIO']) {
    it(`${code} at every write leaves the previous checkpoint whole and resumable`, async () => {
      const parent = path.join(await tempDir(`ckpt-${code}`), 'checkpoints');
      const first = await trainedModel(0.25);
      const state = (epoch: number) => ({ version: 1 as const, kind: 'last' as const, epoch, history: [], best: { monitor: 'val_loss' as const, mode: 'min' as const, wait: 0 }, savedAt: '' });
      await new CheckpointStore(parent).write(backend.tf, first, state(1));
      const before = await weightsIn(path.join(parent, 'last'));
      const second = await trainedModel(0.75);
      const dry = faultyFs(0);
      await new CheckpointStore(path.join(await tempDir('dry'), 'c'), dry.fs).write(backend.tf, second, state(2));
      expect(dry.calls()).toBeGreaterThanOrEqual(8);
      for (let n = 1; n <= dry.calls(); n++) {
        const faulty = faultyFs(n, code);
        const error = await new CheckpointStore(parent, faulty.fs).write(backend.tf, second, state(2)).catch((e: unknown) => e);
        expect(error, `fault at ${faulty.log[n - 1]}`).toBeInstanceOf(SaveError);
        expect((error as SaveError).code).toBe(code);
        const restored = (await new CheckpointStore(parent).restore(backend.tf))!;
        expect(restored.state.epoch).toBe(1);
        expect(restored.optimizerWeights.length).toBeGreaterThan(1);
        backend.tf.dispose([...restored.weights, ...restored.optimizerWeights.map((w) => w.tensor)]);
        expect(maxAbsDiff(await weightsIn(path.join(parent, 'last')), before)).toBe(0);
        expect(await readdir(parent)).toEqual(['last']);
      }
      first.dispose();
      second.dispose();
    });
  }
});

describe('faults during a training run', () => {
  it('ENOSPC at every write of a run (run.json, checkpoints, model): nothing saved is lost and resume completes it', async () => {
    expect(writesPerRun).toBeGreaterThan(20);
    for (let n = 1; n <= writesPerRun; n++) {
      const dir = path.join(await tempDir(`run-fault-${n}`), 'run');
      const faulty = faultyFs(n, 'ENOSPC');
      const outcome = await startRun(ctxOf(backend, { fs: faulty.fs }), { dir, experiment, dataset }).catch((e: unknown) => e as Error);
      const where = `fault ${n}/${writesPerRun} at ${faulty.log[n - 1]}`;
      if (outcome instanceof Error) {
        // Before training starts: the folder or its run.json could not be written; the message says which.
        expect(outcome, where).toBeInstanceOf(RunError);
        expect(outcome.message, where).toMatch(/(cannot create the run folder|cannot update .*run\.json).*: (the )?disk (is )?full/);
        const isRun = await openRun(dir).then(
          () => true,
          () => false,
        );
        if (!isRun) continue;
      } else if (outcome.status === 'failed') {
        expect(outcome.error?.code, where).toBe('ENOSPC');
        expect(outcome.error?.message, where).toMatch(/disk full \(ENOSPC\)|the disk is full/);
      }
      const opened = await openRun(dir);
      expect(opened.problems, where).toEqual([]);
      if (!(opened.state === 'finished' && opened.hasModel)) {
        const resumed = await resumeRun(ctxOf(backend), { dir, loadDataset });
        expect(resumed.status, where).toBe('finished');
      }
      expect(maxAbsDiff(await weightsIn(path.join(dir, 'model')), referenceWeights), where).toBeLessThan(1e-4);
      expect((await openRun(dir)).history.map((r) => r.epoch), where).toEqual([1, 2]);
    }
    // One short run per write of a run (each file's write and fsync are separate steps): give it room.
  }, 400_000);

  it('EIO appending an epoch to the log fails the run with the file named; resume re-runs that epoch', async () => {
    const dir = path.join(await tempDir('append-eio'), 'run');
    let appends = 0;
    const appendLine = async (file: string, text: string) => {
      if (++appends === 2) throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
      return appendLineDurable(file, text);
    };
    const outcome = await startRun(ctxOf(backend, { appendLine }), { dir, experiment, dataset });
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toEqual({ code: 'EIO', message: `could not record epoch 2 in ${path.join(dir, 'epochs.jsonl')}: an input/output error from the disk` });
    expect((await openRun(dir)).history.map((r) => r.epoch)).toEqual([1]);
    await resumeRun(ctxOf(backend), { dir, loadDataset });
    expect(maxAbsDiff(await weightsIn(path.join(dir, 'model')), referenceWeights)).toBeLessThan(1e-4);
  });

  it('a run killed while writing its last epoch line is reported, resumed and completed', async () => {
    const dir = path.join(await tempDir('cut-line'), 'run');
    const stop = new AbortController();
    await startRun(ctxOf(backend, { signal: stop.signal, onEvent: (e) => e.type === 'epochEnd' && stop.abort() }), { dir, experiment, dataset });
    // What a power cut mid-append leaves: half of epoch 2's line, and run.json still saying `running`.
    await appendFile(path.join(dir, 'epochs.jsonl'), '{"epoch":2,"loss":0.5,"acc');
    const info = JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8'));
    await writeFile(path.join(dir, 'run.json'), JSON.stringify({ ...info, status: 'running', process: { pid: 999999, host: 'elsewhere', startedAt: '' } }));
    const run = await openRun(dir);
    expect(run.state).toBe('interrupted');
    expect(run.history.map((r) => r.epoch)).toEqual([1]);
    expect(run.problems).toEqual([expect.objectContaining({ line: 2, message: expect.stringContaining('incomplete') })]);
    await resumeRun(ctxOf(backend), { dir, loadDataset });
    const after = await openRun(dir);
    expect(after.history.map((r) => r.epoch)).toEqual([1, 2]);
    expect(after.problems).toEqual([expect.objectContaining({ line: 2 })]);
    expect(maxAbsDiff(await weightsIn(path.join(dir, 'model')), referenceWeights)).toBeLessThan(1e-4);
  });
});
