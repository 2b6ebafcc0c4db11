/**
 * Every writer that replaces a file or folder goes through platform/replace-file. For each of them, ENOSPC and
 * EIO are injected at the first write, fsync and rename (by replacing that method of `nodeFileOps`, the file
 * operations they all use): the error names the target and the cause, what was there before is unchanged, and
 * no temporary is left beside it. A clean write with no fault is checked too, so a writer that bypassed the
 * module (and so never met the fault) fails the table.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Result } from '../../../common/contract.js';
import { writeCachedDataset } from '../../../main/data/dataset-cache.js';
import type { Dataset } from '../../../main/data/dataset.js';
import { downloadVerified } from '../../../main/data/download.js';
import { saveModelAtomic } from '../../../main/engine/save.js';
import type { EngineBackend } from '../../../main/engine/tf-types.js';
import { exportModel } from '../../../main/export/export-run.js';
import { markRunEnded } from '../../../main/host/training-host.js';
import { nodeFileOps, replaceFile, replaceFolder, replaceWith } from '../../../main/platform/replace-file.js';
import { RunFolder, type RunInfo } from '../../../main/runs/run-folder.js';
import { DatasetCatalog } from '../../../main/service/dataset-catalog.js';
import { createService } from '../../../main/service/service.js';
import { testBackend } from '../helpers/backend.js';
import { experimentOf, seededModel, VECTOR_MODEL, writeRunFolder } from '../export/models.js';
import { FakeHost } from '../shell/fake-host.js';

const FAULT_OPS = ['writeFile', 'fsync', 'rename'] as const;
const CODES = ['ENOSPC', 'EIO'] as const;

let backend: EngineBackend;
let root = '';
let run = '';
let server: http.Server;
let base = '';
const payload = Buffer.from('layerbench dataset archive '.repeat(50));
const payloadMd5 = createHash('md5').update(payload).digest('hex');

beforeAll(async () => {
  backend = await testBackend();
  root = mkdtempSync(path.join(os.tmpdir(), 'lb-replace-faults-'));
  run = path.join(root, 'source-run');
  const model = seededModel(backend.tf, VECTOR_MODEL, 3);
  await writeRunFolder(backend.tf, model, experimentOf(VECTOR_MODEL), run);
  model.dispose();
  server = http.createServer((_req, res) => res.end(payload));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(() => vi.restoreAllMocks());

const tinyDataset = (): Dataset => ({
  id: 'folder:/data/tiny',
  name: 'tiny',
  inputShape: [2, 2, 1],
  classNames: ['a', 'b'],
  train: { images: new Uint8Array(8).fill(7), labels: Uint16Array.of(0, 1), count: 2 },
  source: '/data/tiny',
});

const runInfo = (status: string) => ({ version: 1, name: 'r', status }) as unknown as RunInfo;

function service(dataDir: string) {
  return createService(
    { mode: 'browser', dataDir, version: '0.0.0', versions: { node: process.versions.node }, host: new FakeHost(), emit: () => {} },
    { loadDataset: async () => tinyDataset() },
  );
}

/** A Result's failure as an Error, so handlers and functions are checked alike. */
async function orThrow(p: Promise<Result<unknown>>): Promise<unknown> {
  const r = await p;
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

interface Writer {
  name: string;
  /** Sets up the folder `dir` with what was there before; returns the target the writer replaces. */
  before(dir: string): Promise<string> | string;
  write(dir: string, target: string): Promise<unknown>;
  /** The write goes through nodeFileOps.writeFile (others write with their own library, then fsync and rename). */
  opsWrite: boolean;
}

const WRITERS: Writer[] = [
  {
    name: 'replaceFile',
    before: (dir) => (writeFileSync(path.join(dir, 'a.txt'), 'old'), path.join(dir, 'a.txt')),
    write: (_dir, target) => replaceFile(target, 'new'),
    opsWrite: true,
  },
  {
    name: 'replaceFolder',
    before: (dir) => (mkdirSync(path.join(dir, 'f')), writeFileSync(path.join(dir, 'f', 'x'), 'old'), path.join(dir, 'f')),
    write: (_dir, target) => replaceFolder(target, { x: 'new', 'sub/y': 'new' }),
    opsWrite: true,
  },
  {
    name: 'replaceWith',
    before: (dir) => (writeFileSync(path.join(dir, 'w.bin'), 'old'), path.join(dir, 'w.bin')),
    write: (_dir, target) => replaceWith(target, (temp) => nodeFileOps.writeFile(temp, 'new')),
    opsWrite: true,
  },
  {
    name: 'model save (engine/save.ts, also checkpoints)',
    before: async (dir) => {
      const m = seededModel(backend.tf, VECTOR_MODEL, 1);
      await saveModelAtomic(backend.tf, m, path.join(dir, 'model'));
      m.dispose();
      return path.join(dir, 'model');
    },
    write: async (_dir, target) => {
      const m = seededModel(backend.tf, VECTOR_MODEL, 2);
      try {
        await saveModelAtomic(backend.tf, m, target, { 'history.json': '[]' });
      } finally {
        m.dispose();
      }
    },
    opsWrite: true,
  },
  {
    name: 'run.json by the run (runs/run-folder.ts)',
    before: async (dir) => (await new RunFolder(dir).create(runInfo('running')), path.join(dir, 'run.json')),
    write: (dir) => new RunFolder(dir).writeInfo(runInfo('finished')),
    opsWrite: true,
  },
  {
    name: 'run.json by the training host (host/training-host.ts)',
    before: (dir) => (writeFileSync(path.join(dir, 'run.json'), JSON.stringify(runInfo('running'))), path.join(dir, 'run.json')),
    write: (dir) => markRunEnded(dir, 'failed', 'crashed', 'the training process crashed'),
    opsWrite: true,
  },
  ...(['keras', 'h5', 'tfjs', 'python'] as const).map((format): Writer => ({
    name: `export ${format} (export/)`,
    before: async (dir) => {
      const target = path.join(dir, `out-${format}`);
      await exportModel(run, format, target);
      return target;
    },
    // force: replacing the previous export is the point (a tfjs folder is not replaced without it).
    write: (_dir, target) => exportModel(run, format, target, { force: true }),
    // h5wasm writes HDF5 itself (the tmpfs table covers a full disk there); the other formats' bytes go through writeFile.
    opsWrite: format !== 'h5',
  })),
  {
    name: 'spec file (service/handlers-app.ts)',
    before: async (dir) => {
      const saved = (await orThrow(service(dir).handle('spec:save', { experiment: experimentOf(VECTOR_MODEL), suggestedName: 's' }))) as {
        path: string;
      };
      return saved.path;
    },
    write: (dir) =>
      orThrow(service(dir).handle('spec:save', { experiment: experimentOf(VECTOR_MODEL, { epochs: 9 }), suggestedName: 's' })),
    opsWrite: true,
  },
  {
    name: 'saved model copy (service/handlers-runs.ts)',
    before: async (dir) => {
      mkdirSync(path.join(dir, 'runs'), { recursive: true });
      const { cpSync } = await import('node:fs');
      cpSync(run, path.join(dir, 'runs', 'm'), { recursive: true });
      return path.join(dir, 'saved', 'm-model');
    },
    write: (dir) => orThrow(service(dir).handle('model:save', { runId: 'm' })),
    // node's cp copies the files; the fsync and rename are the module's.
    opsWrite: false,
  },
  {
    name: 'dataset catalog (service/dataset-catalog.ts)',
    before: async (dir) => {
      const file = path.join(dir, 'datasets.json');
      await new DatasetCatalog(
        file,
        () => {},
        async () => ({ ...tinyDataset(), id: 'folder:/data/first' }),
      ).import('folder', '/data/first');
      return file;
    },
    write: (dir) =>
      new DatasetCatalog(
        path.join(dir, 'datasets.json'),
        () => {},
        async () => tinyDataset(),
      ).import('folder', '/data/tiny'),
    opsWrite: true,
  },
  {
    name: 'dataset cache (data/dataset-cache.ts)',
    before: async (dir) => {
      process.env.XDG_CACHE_HOME = dir;
      return writeCachedDataset('k', { ...tinyDataset(), name: 'before' });
    },
    write: (dir) => ((process.env.XDG_CACHE_HOME = dir), writeCachedDataset('k', tinyDataset())),
    opsWrite: true,
  },
  {
    name: 'download (data/download.ts)',
    before: (dir) => path.join(dir, 'archive.tar.gz'),
    write: (_dir, target) => downloadVerified(`${base}/a`, target, { md5: payloadMd5 }),
    // Streamed to the temporary by node's write stream; the fsync and rename are the module's.
    opsWrite: false,
  },
];

/** Every file under `p` with its bytes (or `absent`). */
function snapshot(p: string): unknown {
  try {
    if (!statSync(p).isDirectory()) return readFileSync(p).toString('base64');
  } catch {
    return 'absent';
  }
  return Object.fromEntries(readdirSync(p).map((n) => [n, snapshot(path.join(p, n))]));
}

const inode = (p: string) => {
  try {
    return statSync(p).ino;
  } catch {
    return undefined;
  }
};

/** Temporaries and moved-aside folders anywhere under `dir`. */
function leftovers(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((n) => /\.saving-|\.previous$|\.tmp$|\.part$/.test(n));
}

/** Makes the first call of `op` (on `only`, when given) fail with `code`; the other calls go to the file system. */
function failFirst(op: (typeof FAULT_OPS)[number], code: string, only?: string): () => number {
  const real = nodeFileOps[op] as (...a: unknown[]) => Promise<void>;
  let faults = 0;
  vi.spyOn(nodeFileOps, op).mockImplementation((async (...args: unknown[]) => {
    if (faults === 0 && (only === undefined || args[0] === only)) {
      faults++;
      throw Object.assign(new Error(`${code}: injected at ${op} ${String(args[0])}`), { code });
    }
    return real.apply(nodeFileOps, args);
  }) as never);
  return () => faults;
}

describe('replacing a file: one module, every writer', () => {
  for (const writer of WRITERS) {
    it(`${writer.name}: a clean write replaces the target and leaves no temporary`, async () => {
      const dir = mkdtempSync(path.join(root, 'clean-'));
      const target = await writer.before(dir);
      const inodeBefore = inode(target);
      const renames = vi.spyOn(nodeFileOps, 'rename');
      await writer.write(dir, target);
      expect(renames, 'the writer goes through platform/replace-file').toHaveBeenCalled();
      // Exports of the same model are byte for byte the same: a new inode says the target was replaced.
      expect(inode(target)).not.toBe(inodeBefore);
      expect(leftovers(dir)).toEqual([]);
    });

    for (const op of FAULT_OPS) {
      if (op === 'writeFile' && !writer.opsWrite) continue;
      for (const code of CODES) {
        it(`${writer.name}: ${code} at ${op} names the target, keeps what was there, leaves no temporary`, async () => {
          const dir = mkdtempSync(path.join(root, `${op}-${code}-`));
          const target = await writer.before(dir);
          const before = snapshot(target);
          const calls = failFirst(op, code);
          const error = await writer.write(dir, target).then(
            () => undefined,
            (e: unknown) => e as Error,
          );
          expect(calls(), 'the fault was reached').toBeGreaterThan(0);
          expect(error, 'the write reports the fault').toBeInstanceOf(Error);
          expect(error!.message).toContain(code);
          expect(error!.message).toContain(target);
          expect(snapshot(target)).toEqual(before);
          expect(leftovers(dir)).toEqual([]);
        });
      }
    }

    it(`${writer.name}: EIO flushing the folder after the rename is reported, with nothing left beside the target`, async () => {
      const dir = mkdtempSync(path.join(root, 'dir-fsync-'));
      const target = await writer.before(dir);
      const faults = failFirst('fsync', 'EIO', path.dirname(target));
      const error = await writer.write(dir, target).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(faults()).toBe(1);
      expect(error?.message).toContain(target);
      expect(error?.message).toContain('EIO');
      expect(leftovers(dir)).toEqual([]);
    });
  }
});
