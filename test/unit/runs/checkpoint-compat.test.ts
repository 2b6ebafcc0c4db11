/**
 * A run folder written by an earlier Layerbench still resumes. `fixtures/run-from-0.1.0` was trained on
 * native TensorFlow by Layerbench 0.1.0 at commit 8393149, the last to build models with its own
 * BatchNormalization subclass and Adam (since removed): the spec in its run.json, 200 bundled MNIST digits
 * (`tinyMnist(200)`), stopped at the start of epoch 3 of 3, so its `last` checkpoint holds epoch 2.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../../main/data/dataset.js';
import type { EngineBackend } from '../../../main/engine/tf-types.js';
import { resumeRun } from '../../../main/runs/resume-run.js';
import { openRun } from '../../../main/runs/run-store.js';
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
  it('resumes with its weights and optimizer state, all of which decide where it ends', async () => {
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

    // Epoch 3 must come from everything the old checkpoint held. (A fresh run of today's code starts elsewhere:
    // fresh kernels are glorot-uniform now, as in Keras.) The same resume again ends at the same weights; with
    // Adam's saved moments zeroed it ends elsewhere, so the optimizer state was read and used, not rebuilt.
    const again = path.join(await tempDir('compat-again'), 'run');
    await cp(FIXTURE, again, { recursive: true });
    expect((await resumeRun(ctxOf(backend), { dir: again, loadDataset: async () => dataset })).status).toBe('finished');
    expect(maxAbsDiff(await weightsIn(path.join(dir, 'model')), await weightsIn(path.join(again, 'model')))).toBeLessThan(1e-6);
    const zeroed = path.join(await tempDir('compat-zeroed'), 'run');
    await cp(FIXTURE, zeroed, { recursive: true });
    const optimizerBin = path.join(zeroed, 'checkpoints', 'last', 'optimizer.bin');
    await writeFile(optimizerBin, Buffer.alloc((await readFile(optimizerBin)).length));
    expect((await resumeRun(ctxOf(backend), { dir: zeroed, loadDataset: async () => dataset })).status).toBe('finished');
    expect(maxAbsDiff(await weightsIn(path.join(dir, 'model')), await weightsIn(path.join(zeroed, 'model')))).toBeGreaterThan(1e-4);
  });
});
