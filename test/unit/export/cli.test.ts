/** The `layerbench export` and `layerbench import` commands, run in-process through the CLI dispatcher. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../main/cli/main.js';
import { EXIT } from '../../../main/cli/exit-codes.js';
import { LOCK_FILE } from '../../../main/platform/folder-lock.js';
import type { EngineBackend } from '../../../main/engine/tf-types.js';
import { testBackend } from '../helpers/backend.js';
import { experimentOf, seededModel, VECTOR_MODEL, writeRunFolder } from './models.js';

let backend: EngineBackend;
let work: string;
let run: string;

/** Runs the CLI, capturing what it prints. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: await main(argv), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

beforeAll(async () => {
  backend = await testBackend();
  work = await mkdtemp(path.join(tmpdir(), 'lb-cli-export-'));
  run = path.join(work, 'run');
  const model = seededModel(backend.tf, VECTOR_MODEL, 3);
  await writeRunFolder(backend.tf, model, experimentOf(VECTOR_MODEL), run);
  model.dispose();
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('layerbench export / import', () => {
  it('exports every format, by default into the run folder', async () => {
    for (const format of ['keras', 'h5', 'tfjs', 'python']) {
      const r = await cli('export', run, '--format', format);
      expect(r.err).toBe('');
      expect(r.code).toBe(EXIT.ok);
      expect(r.out).toMatch(new RegExp(`^Exported ${format} to `));
    }
    expect((await readdir(path.join(run, 'exports'))).sort()).toEqual(['model.h5', 'model.keras', 'tfjs-model', 'train.py']);
  });

  it('imports an exported .keras file back as a model folder and prints its summary', async () => {
    const out = path.join(work, 'imported');
    const r = await cli('import', path.join(run, 'exports', 'model.keras'), '--out', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toContain('global_average_pooling2d (GlobalAveragePooling2D)');
    expect((await readdir(out)).sort()).toEqual(['experiment.json', 'model.json', 'weights.bin']);
    // The imported folder is itself exportable.
    expect((await cli('export', out, '--format', 'h5', '--out', path.join(work, 'again.h5'))).code).toBe(EXIT.ok);
  });

  it('answers bad usage and bad inputs with exit code 2 and the file at fault', async () => {
    expect((await cli('export', run)).err).toMatch(/export needs --format keras\|h5\|tfjs\|python/);
    expect((await cli('export', run, '--format', 'onnx')).err).toContain('got "onnx"');
    const missing = await cli('export', path.join(work, 'nope'), '--format', 'keras', '--out', path.join(work, 'x.keras'));
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.err).toContain(path.join(work, 'nope'));
    expect((await cli('import', path.join(run, 'run.json'))).err).toContain('import needs --out DIR');
    // A write that fails (here: the parent "folder" is a file) is an I/O error, exit code 4.
    for (const format of ['keras', 'h5', 'tfjs', 'python']) {
      const blocked = await cli('export', run, '--format', format, '--out', path.join(run, 'run.json', 'out'));
      expect(blocked.code, format).toBe(EXIT.io);
      expect(blocked.err, format).toContain(`cannot write ${path.join(run, 'run.json', 'out')}`);
    }
    const notModel = await cli('import', path.join(run, 'exports', 'train.py'), '--out', path.join(work, 'bad'));
    expect(notModel.code).toBe(EXIT.usage);
    expect(notModel.err).toContain('unknown model file type ".py"');
  });
});

/** A folder holding one file, as a user's folder might. */
async function userFolder(name: string): Promise<string> {
  const d = path.join(work, name);
  await mkdir(d, { recursive: true });
  await writeFile(path.join(d, 'f'), 'x\n');
  return d;
}

const isDir = async (p: string) => (await stat(p)).isDirectory();

describe('what export and import may write over', () => {
  it('refuses an existing folder as a file export target unless --force, and then replaces only it', async () => {
    const d = await userFolder('user-folder');
    for (const format of ['keras', 'h5', 'python']) {
      const r = await cli('export', run, '--format', format, '--out', d);
      expect(r.code, format).toBe(EXIT.usage);
      expect(r.err, format).toContain(`${d} is a folder with 1 entry`);
      expect(r.err, format).toContain('add --force to replace it');
      expect(await readFile(path.join(d, 'f'), 'utf8'), format).toBe('x\n');
    }
    const forced = await cli('export', run, '--format', 'keras', '--out', d, '--force');
    expect(forced.code, forced.err).toBe(EXIT.ok);
    expect(await isDir(d)).toBe(false);
  });

  it('refuses a non-empty folder or a file as a tfjs target unless --force; an empty folder is filled', async () => {
    const d = await userFolder('tfjs-target');
    const r = await cli('export', run, '--format', 'tfjs', '--out', d);
    expect(r.code).toBe(EXIT.usage);
    expect(await readdir(d)).toEqual(['f']);
    const empty = path.join(work, 'tfjs-empty');
    await mkdir(empty);
    expect((await cli('export', run, '--format', 'tfjs', '--out', empty)).code).toBe(EXIT.ok);
    expect(await readdir(empty)).toContain('model.json');
    const file = path.join(work, 'tfjs-file');
    await writeFile(file, 'keep me');
    expect((await cli('export', run, '--format', 'tfjs', '--out', file)).code).toBe(EXIT.usage);
    expect(await readFile(file, 'utf8')).toBe('keep me');
    expect((await cli('export', run, '--format', 'tfjs', '--out', d, '--force')).code).toBe(EXIT.ok);
    expect(await readdir(d)).not.toContain('f');
  });

  it('never writes over a run folder, its model, or a folder holding runs, even with --force', async () => {
    for (const [format, out] of [
      ['python', run],
      ['tfjs', path.join(run, 'model')],
      ['keras', work],
    ] as const) {
      const r = await cli('export', run, '--format', format, '--out', out, '--force');
      expect(r.code, `${format} ${out}`).toBe(EXIT.usage);
      expect(r.err, `${format} ${out}`).toContain(out);
      expect(r.err, `${format} ${out}`).not.toContain('--force');
    }
    expect(await readdir(path.join(run, 'model'))).toContain('model.json');
    expect(JSON.parse(await readFile(path.join(run, 'run.json'), 'utf8')).status).toBe('finished');
  });

  it('import refuses a non-empty folder unless --force, and a run folder always', async () => {
    const file = path.join(work, 'to-import.keras');
    expect((await cli('export', run, '--format', 'keras', '--out', file)).code).toBe(EXIT.ok);
    const d = await userFolder('import-target');
    const r = await cli('import', file, '--out', d);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain(`${d} is a folder with 1 entry`);
    expect(await readdir(d)).toEqual(['f']);
    expect((await cli('import', file, '--out', d, '--force')).code).toBe(EXIT.ok);
    expect((await readdir(d)).sort()).toEqual(['experiment.json', 'model.json', 'weights.bin']);
    const intoRun = await cli('import', file, '--out', run, '--force');
    expect(intoRun.code).toBe(EXIT.usage);
    expect(intoRun.err).toContain('is a run folder');
    expect(await readdir(run)).toContain('run.json');
  });

  it('an export into the run folder is refused while another process holds the run lock', async () => {
    let holder: ChildProcess | undefined;
    try {
      holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      const lockFile = path.join(run, LOCK_FILE);
      await writeFile(
        lockFile,
        JSON.stringify({ pid: holder.pid, host: hostname(), startedAt: new Date().toISOString(), purpose: 'resume' }),
      );
      const r = await cli('export', run, '--format', 'python');
      expect(r.code).toBe(EXIT.usage);
      expect(r.err).toContain(`process ${holder.pid}`);
      await rm(lockFile);
      // Outside the run folder the export does not need the run's lock.
      expect((await cli('export', run, '--format', 'python', '--out', path.join(work, 'elsewhere.py'))).code).toBe(EXIT.ok);
    } finally {
      holder?.kill();
    }
  });
});
