/** The `layerbench export` and `layerbench import` commands, run in-process through the CLI dispatcher. */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../main/cli/main.js';
import { EXIT } from '../../../main/cli/exit-codes.js';
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
