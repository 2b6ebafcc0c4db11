/**
 * A run folder written by an earlier Layerbench still resumes. `fixtures/run-from-0.1.0` was trained on
 * native TensorFlow by Layerbench 0.1.0 at commit 8393149, the last to build models with its own
 * BatchNormalization subclass and Adam (since removed): the spec in its run.json, 200 bundled MNIST digits
 * (`tinyMnist(200)`), stopped at the start of epoch 3 of 3, so its `last` checkpoint holds epoch 2.
 */
import { cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentSpec } from '../../../common/spec.js';
import type { Dataset } from '../../../main/data/dataset.js';
import type { EngineBackend } from '../../../main/engine/tf-types.js';
import { resumeRun } from '../../../main/runs/resume-run.js';
import { openRun } from '../../../main/runs/run-store.js';
import { startRun } from '../../../main/runs/run-training.js';
import { testBackend } from '../helpers/backend.js';
import { tinyMnist } from '../helpers/fixtures.js';
import { ctxOf, maxAbsDiff, tempDir, weightsIn } from './helpers.js';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'run-from-0.1.0');

let backend: EngineBackend;
let dataset: Dataset;

beforeAll(async () => {
  backend = await testBackend();
  dataset = await tinyMnist(200);
});

describe('a run checkpointed by Layerbench 0.1.0', () => {
  it('resumes with its weights and optimizer state, and ends where an uninterrupted run of today ends', async () => {
    const dir = path.join(await tempDir('compat'), 'run');
    await cp(FIXTURE, dir, { recursive: true });
    const saved = (await openRun(dir)).history;
    expect(saved.map((r) => r.epoch)).toEqual([1, 2]);

    const resumed = await resumeRun(ctxOf(backend), { dir, loadDataset: async () => dataset });
    expect(resumed.status).toBe('finished');
    expect(resumed.history.map((r) => r.epoch)).toEqual([1, 2, 3]);
    const run = await openRun(dir);
    expect(run).toMatchObject({ state: 'finished', epochsDone: 3, problems: [] });
    expect(run.logTail.join('\n')).toMatch(/Resuming after epoch 2 with its weights and optimizer state/);
    expect(run.history.slice(0, 2)).toEqual(saved);

    // The same experiment trained from scratch today: epoch 3 only matches if the old checkpoint's
    // weights, BatchNormalization statistics and Adam moments and step count were all put back.
    const { experiment } = JSON.parse(await readFile(path.join(FIXTURE, 'run.json'), 'utf8')) as { experiment: ExperimentSpec };
    const fresh = path.join(await tempDir('compat-fresh'), 'run');
    expect((await startRun(ctxOf(backend), { dir: fresh, experiment, dataset })).status).toBe('finished');
    const today = (await openRun(fresh)).history;
    saved.forEach((r, i) => expect(today[i].val_loss).toBeCloseTo(r.val_loss!, 4));
    expect(maxAbsDiff(await weightsIn(path.join(dir, 'model')), await weightsIn(path.join(fresh, 'model')))).toBeLessThan(1e-4);
  });
});
