/**
 * Learning-rate schedules in real training: the rate changes on both training paths (the one-graph step and
 * tfjs's eager step), each epoch records it, and ReduceLROnPlateau's state survives a stop and resume.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentSpec, LearningRateSchedule } from '../../../common/spec.js';
import type { TrainingEvent } from '../../../common/training-events.js';
import type { Dataset } from '../../../main/data/dataset.js';
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
const loadDataset = async () => dataset;

beforeAll(async () => {
  backend = await testBackend();
  dataset = await tinyMnist(300);
});

// 300 images, 20% held out, batch 32: 8 batches per epoch.
const BATCHES = 8;

describe('learning-rate schedules in training', () => {
  it('a step decay to almost nothing after the first epoch freezes the weights, on the graph step and the eager one', async () => {
    // Staircase decay by 1e-9 every epoch's worth of steps: epoch 1 trains at 0.05, the epochs after at ~1e-10.
    const schedule: LearningRateSchedule = { type: 'ExponentialDecay', decaySteps: BATCHES, decayRate: 1e-9, staircase: true };
    for (const eager of [false, true]) {
      if (eager) process.env.LAYERBENCH_EAGER_STEP = '1';
      try {
        const run = async (learningRateSchedule?: LearningRateSchedule) => {
          const tiny = tinyExperiment({ epochs: 3, seed: 5, optimizer: 'sgd', learningRate: 0.05, learningRateSchedule });
          // No BatchNormalization: its moving statistics would change the model at any learning rate.
          const layers = tiny.model.layers.filter((l) => l.type !== 'BatchNormalization');
          const experiment = { ...tiny, model: { ...tiny.model, layers } };
          const events: string[] = [];
          const result = await train({ backend, experiment, dataset, onEvent: (e) => e.type === 'start' && events.push(String(e.batchesPerEpoch)) });
          result.dispose();
          expect(result.status, result.error?.message).toBe('finished');
          expect(events).toEqual([String(BATCHES)]);
          return result.history;
        };
        const scheduled = await run(schedule);
        const label = eager ? 'eager' : 'graph';
        [0.05, 0.05 * 1e-9, 0.05 * 1e-18].forEach((lr, i) => expect(scheduled[i].lr! / lr, `${label} epoch ${i + 1}`).toBeCloseTo(1, 9));
        // Validation sees the same model after epochs 2 and 3, up to steps of ~1e-10.
        expect(Math.abs(scheduled[2].val_loss! - scheduled[1].val_loss!), label).toBeLessThan(1e-6);
        const fixed = await run();
        expect(fixed[0].lr, label).toBeUndefined();
        expect(Math.abs(fixed[2].val_loss! - fixed[1].val_loss!), label).toBeGreaterThan(1e-3);
      } finally {
        delete process.env.LAYERBENCH_EAGER_STEP;
      }
    }
  });

  it('ReduceLROnPlateau continues after a stop and resume exactly as in one go', async () => {
    // minDelta 10: no epoch after the first counts as an improvement, so the rate halves after every epoch from 2 on.
    const experiment: ExperimentSpec = tinyExperiment({
      epochs: 5,
      seed: 11,
      learningRateSchedule: { type: 'ReduceLROnPlateau', factor: 0.5, patience: 1, minDelta: 10, cooldown: 0, minLr: 0 },
    });
    const f = Math.fround;
    const expected = [f(0.001), f(0.001), f(0.0005), f(0.00025), f(0.000125)];

    const whole = path.join(await tempDir('plateau-whole'), 'run');
    const inOneGo = await startRun(ctxOf(backend), { dir: whole, experiment, dataset });
    expect(inOneGo.status).toBe('finished');
    expect(inOneGo.history.map((r) => r.lr)).toEqual(expected);
    expect(await readFile(path.join(whole, 'log.txt'), 'utf8')).toMatch(/Epoch 2: ReduceLROnPlateau reducing learning rate to 0\.0005/);

    const dir = path.join(await tempDir('plateau-resume'), 'run');
    const stop = new AbortController();
    const stopAfter3 = (e: TrainingEvent) => e.type === 'epochEnd' && e.record.epoch === 3 && stop.abort();
    const first = await startRun(ctxOf(backend, { signal: stop.signal, onEvent: stopAfter3 }), { dir, experiment, dataset });
    expect(first.history.map((r) => r.epoch)).toEqual([1, 2, 3]);
    const state = JSON.parse(await readFile(path.join(dir, 'checkpoints', 'last', 'state.json'), 'utf8'));
    expect(state.plateau).toMatchObject({ lr: f(0.00025), wait: 0, cooldownCounter: 0 });

    const resumed = await resumeRun(ctxOf(backend), { dir, loadDataset });
    expect(resumed.status).toBe('finished');
    const history = (await openRun(dir)).history;
    expect(history.map((r) => r.lr)).toEqual(expected);
    history.forEach((r, i) => {
      expect(r.loss).toBeCloseTo(inOneGo.history[i].loss, 4);
      expect(r.val_loss).toBeCloseTo(inOneGo.history[i].val_loss!, 4);
    });
    expect(maxAbsDiff(await weightsIn(path.join(dir, 'model')), await weightsIn(path.join(whole, 'model')))).toBeLessThan(1e-4);
  });

  it('refuses a ReduceLROnPlateau on val_loss when the run has no validation set', async () => {
    const experiment = tinyExperiment({
      epochs: 1,
      validationSplit: 0,
      monitor: 'loss',
      learningRateSchedule: { type: 'ReduceLROnPlateau', monitor: 'val_loss', factor: 0.5, patience: 1, minDelta: 0, cooldown: 0, minLr: 0 },
    });
    const result = await train({ backend, experiment, dataset });
    result.dispose();
    expect(result.error).toMatchObject({ code: 'MONITOR_UNAVAILABLE', message: expect.stringContaining('ReduceLROnPlateau cannot monitor val_loss') });
  });
});
