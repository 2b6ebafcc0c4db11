/**
 * The run folder's lock: a second train/resume/evaluate of one folder is refused with the holder's pid,
 * a lock left by a dead process is taken over, and the lock is released however the work ends.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_TRAINING } from '../../../common/spec.js';
import { main } from '../../../main/cli/main.js';
import { EXIT } from '../../../main/cli/exit-codes.js';
import { FolderLockedError, LOCK_FILE, lockFolder } from '../../../main/platform/folder-lock.js';
import { evaluateRun } from '../../../main/runs/evaluate-run.js';
import { resumeRun } from '../../../main/runs/resume-run.js';
import { RunFolder, type RunInfo } from '../../../main/runs/run-folder.js';
import type { EngineBackend } from '../../../main/engine/tf-types.js';
import { testBackend } from '../helpers/backend.js';
import { ctxOf, tempDir } from './helpers.js';

const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
let live: ChildProcess;
let backend: EngineBackend;

beforeAll(async () => {
  backend = await testBackend();
  live = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
});
afterAll(() => {
  live.kill();
});

function info(status: RunInfo['status']): RunInfo {
  return {
    version: 1,
    name: 'locked',
    createdAt: new Date().toISOString(),
    experiment: { model: { inputShape: [28, 28, 1], layers: [{ type: 'Flatten' }, { type: 'Dense', units: 10 }] }, training: { ...DEFAULT_TRAINING, epochs: 3 } },
    dataset: { id: 'mnist', name: 'MNIST', source: '-', inputShape: [28, 28, 1], classNames: [] },
    versions: { layerbench: '0', node: process.versions.node },
    status,
  };
}

async function runFolder(status: RunInfo['status']): Promise<string> {
  const dir = path.join(await tempDir('lock'), 'run');
  await new RunFolder(dir).create(info(status));
  await writeFile(path.join(dir, 'epochs.jsonl'), JSON.stringify({ epoch: 1, loss: 1, accuracy: 0.5, durationMs: 1, samples: 1 }) + '\n');
  return dir;
}

/** A lock file as another process writes it. */
async function heldBy(dir: string, pid: number): Promise<void> {
  await writeFile(path.join(dir, LOCK_FILE), JSON.stringify({ pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z', purpose: 'resume' }));
}

const exists = (file: string) => readFile(file).then(() => true, () => false);

describe('folder lock', () => {
  it('records pid, host and start time, refuses a second holder, and can be taken again after release', async () => {
    const dir = await runFolder('stopped');
    const lock = await lockFolder(dir, 'resume');
    const written = JSON.parse(await readFile(path.join(dir, LOCK_FILE), 'utf8'));
    expect(written).toMatchObject({ pid: process.pid, host: hostname(), purpose: 'resume' });
    expect(Number.isNaN(Date.parse(written.startedAt))).toBe(false);
    await expect(lockFolder(dir, 'evaluate')).rejects.toThrow(FolderLockedError);
    await lock.release();
    expect(await exists(path.join(dir, LOCK_FILE))).toBe(false);
    await (await lockFolder(dir, 'evaluate')).release();
  });

  it('refuses a lock held by a live process, naming the folder and its pid', async () => {
    const dir = await runFolder('stopped');
    await heldBy(dir, live.pid!);
    const refused = await lockFolder(dir, 'resume').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(FolderLockedError);
    expect((refused as Error).message).toContain(dir);
    expect((refused as Error).message).toContain(`process ${live.pid}`);
  });

  it('takes over a lock whose process is gone', async () => {
    const dir = await runFolder('stopped');
    await heldBy(dir, deadPid);
    const lock = await lockFolder(dir, 'resume');
    expect(JSON.parse(await readFile(path.join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });
});

describe('folder lock between processes', () => {
  // Runs from the build, as the CLI tests do (npm test builds first).
  const built = pathToFileURL(path.resolve('dist/main/platform/folder-lock.js')).href;
  const contender = `
    const { lockFolder } = await import(${JSON.stringify(built)});
    try {
      const lock = await lockFolder(process.argv[1], 'resume');
      process.stdout.write('got');
      setTimeout(() => lock.release(), 3000); // held while the others try
    } catch (e) {
      process.stdout.write(e.name);
    }`;

  it('of four processes taking over one stale lock at once, exactly one gets it', async () => {
    const dir = await runFolder('stopped');
    await heldBy(dir, deadPid);
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        promisify(execFile)(process.execPath, ['--input-type=module', '-e', contender, dir]).then((r) => r.stdout),
      ),
    );
    expect(results.sort()).toEqual(['FolderLockedError', 'FolderLockedError', 'FolderLockedError', 'got']);
    expect(await exists(path.join(dir, LOCK_FILE))).toBe(false);
  });
});

describe('run operations under the lock', () => {
  it('a resume of a folder another process holds is refused before it writes anything', async () => {
    const dir = await runFolder('stopped');
    await heldBy(dir, live.pid!);
    const before = await readFile(path.join(dir, 'epochs.jsonl'), 'utf8');
    await expect(resumeRun(ctxOf(backend), { dir })).rejects.toMatchObject({ code: 'LOCKED' });
    // No resume marker: a second resume used to append one and train the same epochs again.
    expect(await readFile(path.join(dir, 'epochs.jsonl'), 'utf8')).toBe(before);
    await expect(evaluateRun(backend, { dir })).rejects.toMatchObject({ code: 'LOCKED' });
  });

  it('releases the lock when the operation fails', async () => {
    const dir = await runFolder('finished');
    await expect(evaluateRun(backend, { dir })).rejects.toMatchObject({ code: 'NO_MODEL' });
    expect(await exists(path.join(dir, LOCK_FILE))).toBe(false);
  });

  it('layerbench resume exits 2 naming the folder and the pid holding it', async () => {
    const dir = await runFolder('stopped');
    await heldBy(dir, live.pid!);
    let err = '';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    let code: number;
    try {
      code = await main(['resume', dir]);
    } finally {
      spy.mockRestore();
      out.mockRestore();
    }
    expect(code).toBe(EXIT.usage);
    expect(err).toContain(`cannot resume ${dir}`);
    expect(err).toContain(`process ${live.pid}`);
  });
});
