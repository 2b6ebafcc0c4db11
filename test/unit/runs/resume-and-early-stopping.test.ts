import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { preset } from '../../../common/presets.js';
import type { ExperimentSpec } from '../../../common/spec.js';
import type { Dataset } from '../../../main/data/dataset.js';
import { CheckpointStore } from '../../../main/engine/checkpoint.js';
import type { EngineBackend } from '../../../main/engine/tf-types.js';
import { train } from '../../../main/engine/train.js';
import { resumeRun } from '../../../main/runs/resume-run.js';
import { openRun } from '../../../main/runs/run-store.js';
import { startRun } from '../../../main/runs/run-training.js';
import { testBackend } from '../helpers/backend.js';
import { tinyExperiment, tinyMnist } from '../helpers/fixtures.js';
import { ctxOf, maxAbsDiff, tempDir, weightsIn } from './helpers.js';

let backend: EngineBackend;
let dataset: Dataset;
let reference: { dir: string; weights: Float32Array };
const experiment: ExperimentSpec = tinyExperiment({ epochs: 3, seed: 11 });
const loadDataset = async () => dataset;

beforeAll(async () => {
  backend = await testBackend();
  dataset = await tinyMnist(300);
  const dir = path.join(await tempDir('ref'), 'run');
  const outcome = await startRun(ctxOf(backend), { dir, experiment, dataset });
  expect(outcome.status).toBe('finished');
  reference = { dir, weights: await weightsIn(path.join(dir, 'model')) };
});

describe('stop and resume', () => {
  it("a user's stop mid-epoch keeps the history and the model; resume then matches an uninterrupted run", async () => {
    const tensorsBefore = backend.tf.memory().numTensors;
    const dir = path.join(await tempDir('stop'), 'run');
    const stop = new AbortController();
    const outcome = await startRun(
      ctxOf(backend, { signal: stop.signal, batchEventIntervalMs: 0, onEvent: (e) => e.type === 'batch' && e.epoch === 2 && e.batch === 3 && stop.abort() }),
      { dir, experiment, dataset },
    );
    expect(outcome.status).toBe('stopped');
    expect(outcome.history.map((r) => r.epoch)).toEqual([1]);
    expect(outcome.modelSaved).toBe(true);
    const stopped = await openRun(dir);
    expect(stopped).toMatchObject({ state: 'stopped', epochsDone: 1, resumable: true, hasModel: true });

    const resumed = await resumeRun(ctxOf(backend), { dir, loadDataset });
    expect(resumed.status).toBe('finished');
    expect(resumed.history.map((r) => r.epoch)).toEqual([1, 2, 3]);
    expect(maxAbsDiff(await weightsIn(path.join(dir, 'model')), reference.weights)).toBeLessThan(1e-4);
    const run = await openRun(dir);
    expect(run).toMatchObject({ state: 'finished', epochsDone: 3, resumes: [expect.objectContaining({ fromEpoch: 1 })], problems: [] });
    expect(run.logTail.join('\n')).toMatch(/Resuming after epoch 1 with its weights and optimizer state/);
    const ref = (await openRun(reference.dir)).history;
    run.history.forEach((r, i) => expect(r.val_loss).toBeCloseTo(ref[i].val_loss!, 4));
    // Checkpoints, optimizer state and restored weights leave no tensors behind.
    expect(backend.tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('does not offer Resume for a run whose failure a resume would repeat (a batch larger than the training images)', async () => {
    const dir = path.join(await tempDir('batch'), 'run');
    const tooBig = { ...experiment, training: { ...experiment.training, batchSize: 1000 } };
    const outcome = await startRun(ctxOf(backend), { dir, experiment: tooBig, dataset });
    expect(outcome.status).toBe('failed');
    expect(await openRun(dir)).toMatchObject({ state: 'failed', epochsDone: 0, error: { code: 'BATCH_TOO_LARGE' }, resumable: false });
  });

  it('refuses to resume a finished run, a folder that is not a run, and a run whose dataset changed', async () => {
    await expect(resumeRun(ctxOf(backend), { dir: reference.dir, loadDataset })).rejects.toMatchObject({ code: 'FINISHED' });
    await expect(resumeRun(ctxOf(backend), { dir: await tempDir('empty'), loadDataset })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const dir = path.join(await tempDir('changed'), 'run');
    const stop = new AbortController();
    stop.abort();
    await startRun(ctxOf(backend, { signal: stop.signal }), { dir, experiment, dataset });
    const other = await tinyMnist(301);
    await expect(resumeRun(ctxOf(backend), { dir, loadDataset: async () => other })).rejects.toMatchObject({ code: 'DATASET_CHANGED' });
  });
});

describe('early stopping', () => {
  it('stops after `patience` epochs without improvement and restores the best weights, equal to the best checkpoint', async () => {
    const dir = path.join(await tempDir('es'), 'run');
    // min_delta 10 makes every epoch after the first "no improvement": the stop comes after epoch 1 + patience.
    const exp = tinyExperiment({ epochs: 6, seed: 11, earlyStopping: { patience: 2, minDelta: 10, restoreBestWeights: true } });
    const outcome = await startRun(ctxOf(backend), { dir, experiment: exp, dataset });
    expect(outcome.status).toBe('finished');
    expect(outcome.history).toHaveLength(3);
    expect(outcome.stoppedEarly).toEqual({ epoch: 3, bestEpoch: 1, restored: true });
    const model = await weightsIn(path.join(dir, 'model'));
    expect(maxAbsDiff(model, await weightsIn(path.join(dir, 'checkpoints', 'best')))).toBe(0);
    expect(maxAbsDiff(model, await weightsIn(path.join(dir, 'checkpoints', 'last')))).toBeGreaterThan(1e-4);
    const log = await readFile(path.join(dir, 'log.txt'), 'utf8');
    expect(log).toMatch(/Early stopping: val_loss did not improve by more than 10 for 2 epochs; the best was epoch 1 .*Restored the weights of epoch 1/);
  });

  it('keeps the best-so-far value across a resume (Keras forgets it: keras#17012)', async () => {
    const dir = path.join(await tempDir('es-resume'), 'run');
    const exp = tinyExperiment({ epochs: 6, seed: 11, earlyStopping: { patience: 2, minDelta: 10, restoreBestWeights: true } });
    const stop = new AbortController();
    const first = await startRun(ctxOf(backend, { signal: stop.signal, onEvent: (e) => e.type === 'epochEnd' && stop.abort() }), { dir, experiment: exp, dataset });
    expect(first.history).toHaveLength(1);
    const resumed = await resumeRun(ctxOf(backend), { dir, loadDataset });
    // Had the best been forgotten, epoch 2 would count as a first improvement and the stop would come at 4.
    expect(resumed.stoppedEarly).toEqual({ epoch: 3, bestEpoch: 1, restored: true });
    expect(maxAbsDiff(await weightsIn(path.join(dir, 'model')), await weightsIn(path.join(dir, 'checkpoints', 'best')))).toBe(0);
    expect((await openRun(dir)).best).toMatchObject({ monitor: 'val_loss', bestEpoch: 1 });
  });

  it('checkpoints the best epoch of the chosen metric', async () => {
    const dir = path.join(await tempDir('best'), 'run');
    const outcome = await startRun(ctxOf(backend), { dir, experiment: tinyExperiment({ epochs: 3, seed: 11, monitor: 'val_accuracy' }), dataset });
    const accs = outcome.history.map((r) => r.val_accuracy!);
    const bestEpoch = accs.indexOf(Math.max(...accs)) + 1;
    const state = JSON.parse(await readFile(path.join(dir, 'checkpoints', 'best', 'state.json'), 'utf8'));
    expect(state).toMatchObject({ kind: 'best', epoch: bestEpoch, best: { monitor: 'val_accuracy', mode: 'max', bestEpoch } });
  });
});

describe('NaN loss', () => {
  // tfjs clips probabilities before the log, so a shallow model's loss saturates instead of turning NaN;
  // the divergence watch stops it. The deeper seed CNN's logits overflow to a true NaN first.
  const cases: [string, () => ExperimentSpec, string][] = [
    ['the tiny CNN (loss saturates)', () => tinyExperiment({ epochs: 3, optimizer: 'sgd', learningRate: 1e6 }), 'LOSS_DIVERGED'],
    ['the seed CNN (loss turns NaN)', () => ({ ...preset('seed-baseline', { inputShape: [28, 28, 1], numClasses: 10 }), training: tinyExperiment({ epochs: 3, learningRate: 1e6 }).training }), 'NAN_LOSS'],
  ];
  for (const [name, exp, code] of cases) {
    it(`a learning rate of 1e6 stops ${name} within one epoch with a clear message, and no broken model is saved`, async () => {
      const dir = path.join(await tempDir('nan'), 'run');
      const outcome = await startRun(ctxOf(backend), { dir, experiment: exp(), dataset });
      expect(outcome.status).toBe('failed');
      expect(outcome.error?.code).toBe(code);
      expect(outcome.error?.message).toMatch(/at epoch 1, batch \d+; training stopped\. Lower the learning rate \(now 1000000\)/);
      expect(outcome.history).toEqual([]);
      expect(outcome.modelSaved).toBe(false);
      expect(outcome.modelNote).toMatch(/not saved: training diverged/);
      expect(await readdir(dir)).not.toContain('model');
      expect((await openRun(dir)).state).toBe('failed');
    });
  }

  it('keeps the last good checkpoint untouched when the loss turns NaN', async () => {
    const store = new CheckpointStore(path.join(reference.dir, 'checkpoints'));
    const before = await weightsIn(store.dirOf('last'));
    const restored = (await store.restore(backend.tf))!;
    expect(restored.state.epoch).toBe(3);
    // Continue the finished reference run for three more epochs at a learning rate of 1e6.
    const exp = { ...experiment, training: { ...experiment.training, epochs: 6, optimizer: 'sgd' as const, learningRate: 1e6 } };
    backend.tf.dispose(restored.optimizerWeights.map((w) => w.tensor));
    const result = await train({ backend, experiment: exp, dataset, checkpoints: store, resume: { ...restored, optimizerWeights: [] } });
    result.dispose();
    expect(result.error?.code).toMatch(/NAN_LOSS|LOSS_DIVERGED/);
    expect(result.error?.message).toMatch(/at epoch 4,/);
    expect((await store.readState('last'))!.epoch).toBe(3);
    expect(maxAbsDiff(await weightsIn(store.dirOf('last')), before)).toBe(0);
  });
});
