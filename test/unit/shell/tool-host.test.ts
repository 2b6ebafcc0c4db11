/**
 * The training host running import / predict jobs (runTool) in real child processes (the protocol fixture):
 * the answer comes back, a second job at the same time is BUSY while a run may train beside it, and a
 * process that dies or hangs becomes an error saying so instead of a request that never answers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { TrainingHost } from '../../../main/host/training-host.js';
import type { ToolJob } from '../../../main/host/protocol.js';
import { writeFixtureProcess } from './fixture-process.js';

let entry: string;
beforeAll(() => (entry = writeFixtureProcess()));

const importJob = (source: string): ToolJob => ({ mode: 'import', file: '/x/model.keras', outDir: '/x/out', source });

describe('runTool', () => {
  it('answers with the process result, one job at a time', async () => {
    const host = new TrainingHost({ emit: () => {}, entry });
    const first = host.runTool(importJob('first'));
    expect(await host.runTool(importJob('second'))).toMatchObject({ ok: false, error: { code: 'BUSY' } });
    expect(await first).toMatchObject({ ok: true, value: { mode: 'import', warnings: ['first'] } });
    expect(await host.runTool(importJob('third'))).toMatchObject({ ok: true, value: { warnings: ['third'] } });
  });

  it('reports a process that exits without an answer, with the last thing it wrote', async () => {
    const host = new TrainingHost({ emit: () => {}, entry });
    const answer = await host.runTool(importJob('crash'));
    expect(answer).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    if (!answer.ok)
      expect(answer.error.message).toBe('the process importing the model exited with code 5 without an answer: tool fixture: boom');
  });

  it('ends a job that takes too long', async () => {
    // Long enough for a process to start and answer on a busy machine; the hanging job never answers at all.
    const host = new TrainingHost({ emit: () => {}, entry, toolTimeoutMs: 5000 });
    const answer = await host.runTool(importJob('hang'));
    expect(answer).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: 'importing the model took too long and was ended' } });
    // The host is free again for the next job.
    expect(await host.runTool(importJob('after'))).toMatchObject({ ok: true });
  });
});
