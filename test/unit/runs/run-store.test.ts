import { spawnSync } from 'node:child_process';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAINING } from '../../../common/spec.js';
import { parseEpochLog } from '../../../main/runs/epoch-log.js';
import { appendLineDurable, RunFolder, type RunInfo } from '../../../main/runs/run-folder.js';
import { listRuns, openRun } from '../../../main/runs/run-store.js';
import { tempDir } from './helpers.js';

const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;

function info(name: string, status: RunInfo['status'], createdAt: string, pid?: number): RunInfo {
  return {
    version: 1,
    name,
    createdAt,
    experiment: { model: { inputShape: [28, 28, 1], layers: [{ type: 'Flatten' }, { type: 'Dense', units: 10 }] }, training: { ...DEFAULT_TRAINING, epochs: 50 } },
    dataset: { id: 'mnist', name: 'MNIST', source: '-', inputShape: [28, 28, 1], classNames: [] },
    versions: { layerbench: '0', node: process.versions.node },
    status,
    ...(pid !== undefined ? { process: { pid, host: hostname(), startedAt: createdAt } } : {}),
  };
}

const epochLine = (epoch: number) => JSON.stringify({ epoch, loss: 1 / epoch, accuracy: 0.5, val_loss: 1.1 / epoch, val_accuracy: 0.4, durationMs: 10, samples: 100 });

describe('run store', () => {
  it('lists 300 runs with 50 epochs each, newest first, telling interrupted from running and finished', async () => {
    const parent = await tempDir('store');
    const lines = Array.from({ length: 50 }, (_, i) => epochLine(i + 1)).join('\n') + '\n';
    for (let i = 0; i < 300; i++) {
      const dir = path.join(parent, `run-${String(i).padStart(3, '0')}`);
      const status = i === 7 ? 'running' : 'finished';
      const pid = i === 7 ? deadPid : undefined;
      await new RunFolder(dir).create(info(`run ${i}`, status, new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), pid));
      await writeFile(path.join(dir, 'epochs.jsonl'), lines);
    }
    await mkdir(path.join(parent, 'not-a-run'));
    const started = performance.now();
    const runs = await listRuns(parent);
    const ms = performance.now() - started;
    console.log(`listRuns: 300 runs x 50 epochs in ${ms.toFixed(0)} ms`);
    expect(runs).toHaveLength(300);
    expect(runs[0].id).toBe('run-299');
    const seven = runs.find((r) => r.id === 'run-007')!;
    expect(seven.state).toBe('interrupted');
    // Every epoch logged but never recorded as finished: a resume finishes its final save.
    expect(seven.resumable).toBe(true);
    expect(runs.find((r) => r.id === 'run-008')!.state).toBe('finished');
    expect(runs[0].epochsDone).toBe(50);
  });

  it('a run whose training process is alive stays `running`', async () => {
    const dir = path.join(await tempDir('live'), 'run');
    await new RunFolder(dir).create(info('live', 'running', new Date().toISOString(), process.ppid));
    expect((await openRun(dir)).state).toBe('running');
  });

  it('reports a half-written last line of epochs.jsonl with its line number and keeps every complete epoch', async () => {
    const dir = path.join(await tempDir('cut'), 'run');
    await new RunFolder(dir).create(info('cut', 'running', new Date().toISOString(), deadPid));
    await writeFile(path.join(dir, 'epochs.jsonl'), `${epochLine(1)}\n${epochLine(2)}\n${epochLine(3).slice(0, 25)}`);
    const run = await openRun(dir);
    expect(run.state).toBe('interrupted');
    expect(run.resumable).toBe(true);
    expect(run.history.map((r) => r.epoch)).toEqual([1, 2]);
    expect(run.problems).toEqual([
      expect.objectContaining({ file: path.join(dir, 'epochs.jsonl'), line: 3, message: expect.stringContaining('incomplete') }),
    ]);
    // The next append ends the cut-off line first, so the new record is not glued onto it.
    await appendLineDurable(path.join(dir, 'epochs.jsonl'), epochLine(3));
    const after = await openRun(dir);
    expect(after.history.map((r) => r.epoch)).toEqual([1, 2, 3]);
    expect(after.problems).toHaveLength(1);
    expect(after.problems[0].line).toBe(3);
  });

  it('never fails on a damaged run.json: the run is listed as unreadable with the reason', async () => {
    const parent = await tempDir('bad');
    const dir = path.join(parent, 'broken');
    await mkdir(dir);
    await writeFile(path.join(dir, 'run.json'), '{"version":1,"name":"bro');
    await appendFile(path.join(dir, 'epochs.jsonl'), epochLine(1) + '\n');
    const [run] = await listRuns(parent);
    expect(run.state).toBe('unreadable');
    expect(run.epochsDone).toBe(1);
    expect(run.problems[0].message).toMatch(/run\.json cannot be read/);
  });

  it('a resume marker drops the epochs after the checkpoint resumed from; NaN metrics read back as NaN', () => {
    const text = [epochLine(1), epochLine(2), '{"resumed":{"fromEpoch":1,"at":"t"}}', JSON.stringify({ epoch: 2, loss: 0.2, accuracy: 0.9, val_loss: null, durationMs: 1, samples: 1 }), 'garbage', ''].join('\n');
    const log = parseEpochLog(text, 'e.jsonl');
    expect(log.history.map((r) => r.loss)).toEqual([1, 0.2]);
    expect(log.history[1].val_loss).toBeNaN();
    expect(log.resumes).toEqual([{ fromEpoch: 1, at: 't' }]);
    expect(log.problems).toEqual([expect.objectContaining({ line: 5, message: expect.stringMatching(/not valid JSON|incomplete/) })]);
  });

  it('writes run.json atomically: a reader never sees a partial file', async () => {
    const dir = path.join(await tempDir('atomic'), 'run');
    const folder = new RunFolder(dir);
    await folder.create(info('a', 'running', new Date().toISOString()));
    await Promise.all(Array.from({ length: 20 }, (_, i) => folder.writeInfo(info(`a${i}`, 'running', new Date().toISOString())).catch(() => {})));
    expect(JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8')).version).toBe(1);
  });
});
