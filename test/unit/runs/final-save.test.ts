/**
 * The final save: a run whose process died between its last epoch and run.json saying finished is listed
 * resumable and a resume writes model/ from the last checkpoint; a run stopped before any epoch ended has
 * no model (its weights were never trained).
 */
import { spawnSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../../main/data/dataset.js';
import type { EngineBackend } from '../../../main/engine/tf-types.js';
import { resumeRun } from '../../../main/runs/resume-run.js';
import { listRuns, openRun } from '../../../main/runs/run-store.js';
import { startRun } from '../../../main/runs/run-training.js';
import { testBackend } from '../helpers/backend.js';
import { tinyExperiment, tinyMnist } from '../helpers/fixtures.js';
import { ctxOf, maxAbsDiff, tempDir, weightsIn } from './helpers.js';

let backend: EngineBackend;
let dataset: Dataset;
const experiment = tinyExperiment({ epochs: 2, seed: 3 });
const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;

beforeAll(async () => {
  backend = await testBackend();
  dataset = await tinyMnist(200);
});

/** A finished run turned into what a kill during its final save leaves: every epoch logged, no model/, run.json still running (or marked by the app's host). */
async function cutOffDuringFinalSave(mark: 'running' | 'host-marked'): Promise<{ dir: string; finalWeights: Float32Array }> {
  const dir = path.join(await tempDir('final-save'), 'run');
  const outcome = await startRun(ctxOf(backend), { dir, experiment, dataset });
  expect(outcome.status).toBe('finished');
  const finalWeights = await weightsIn(path.join(dir, 'model'));
  await rm(path.join(dir, 'model'), { recursive: true });
  const info = JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8'));
  delete info.finishedAt;
  const cut =
    mark === 'running'
      ? { ...info, status: 'running', process: { pid: deadPid, host: hostname(), startedAt: info.createdAt } }
      : { ...info, status: 'failed', error: { code: 'PROCESS_CRASHED', message: 'the training process crashed after epoch 2' } };
  await writeFile(path.join(dir, 'run.json'), JSON.stringify(cut));
  return { dir, finalWeights };
}

describe('a run cut off during its final save', () => {
  for (const mark of ['running', 'host-marked'] as const) {
    it(`(${mark}) is listed resumable, and a resume writes the model from the last checkpoint without training`, async () => {
      const { dir, finalWeights } = await cutOffDuringFinalSave(mark);
      const [listed] = await listRuns(path.dirname(dir));
      expect(listed).toMatchObject({ epochsDone: 2, epochsPlanned: 2, hasModel: false, resumable: true });
      const trained: number[] = [];
      const outcome = await resumeRun(
        ctxOf(backend, { onEvent: (e) => void (e.type === 'epochEnd' && trained.push(e.record.epoch)) }),
        { dir, loadDataset: async () => dataset },
      );
      expect(trained).toEqual([]);
      expect(outcome).toMatchObject({ status: 'finished', modelSaved: true });
      const after = await openRun(dir);
      expect(after).toMatchObject({ state: 'finished', hasModel: true, resumable: false, epochsDone: 2 });
      expect(maxAbsDiff(await weightsIn(path.join(dir, 'model')), finalWeights)).toBeLessThan(1e-6);
    });
  }
});

describe('a run stopped before its first epoch ended', () => {
  it('saves no model: its weights were never trained', async () => {
    const dir = path.join(await tempDir('stopped-early'), 'run');
    const outcome = await startRun(ctxOf(backend, { signal: AbortSignal.abort() }), { dir, experiment, dataset });
    expect(outcome).toMatchObject({ status: 'stopped', modelSaved: false, history: [] });
    expect(outcome.modelNote).toContain('no epoch was completed');
    expect(await openRun(dir)).toMatchObject({ state: 'stopped', hasModel: false, epochsDone: 0 });
  });
});
