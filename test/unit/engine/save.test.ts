import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../../main/engine/build-model.js';
import { nodeFileOps, type FileOps } from '../../../main/platform/replace-file.js';
import { loadModelFromDir, recoverInterruptedSave, saveModelAtomic, SaveError } from '../../../main/engine/save.js';
import type { EngineBackend, LayersModel } from '../../../main/engine/tf-types.js';
import { testBackend } from '../helpers/backend.js';
import { tinyExperiment } from '../helpers/fixtures.js';

let backend: EngineBackend;
beforeAll(async () => {
  backend = await testBackend();
});

function model(seedValue: number): LayersModel {
  const m = buildModel(backend.tf, tinyExperiment().model, 10);
  // Distinct, recognisable weights per "version" of the model.
  m.setWeights(m.getWeights().map((w) => backend.tf.fill(w.shape, seedValue)));
  return m;
}

async function firstWeight(dir: string): Promise<number> {
  const loaded = await loadModelFromDir(backend.tf, dir);
  const value = (await loaded.getWeights()[0].data())[0];
  loaded.dispose();
  return value;
}

/** A file system that fails with `code` on the n-th call of any operation, and works otherwise. */
function faulty(n: number, code: string): { fs: FileOps; calls: () => number } {
  let count = 0;
  const wrap =
    <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      count++;
      if (count === n) throw Object.assign(new Error(`${code}: injected`), { code });
      return fn(...a);
    };
  const fs: FileOps = {
    mkdir: wrap(nodeFileOps.mkdir),
    writeFile: wrap(nodeFileOps.writeFile),
    fsync: wrap(nodeFileOps.fsync),
    rename: wrap(nodeFileOps.rename),
    rm: nodeFileOps.rm,
    exists: nodeFileOps.exists,
    readdir: nodeFileOps.readdir,
    isDirectory: nodeFileOps.isDirectory,
  };
  return { fs, calls: () => count };
}

describe('saveModelAtomic', () => {
  it('writes a tfjs layers-format folder that tf.loadLayersModel reads back with the same predictions', async () => {
    const dir = path.join(await mkdtemp(path.join(tmpdir(), 'lb-save-')), 'model');
    const m = buildModel(backend.tf, tinyExperiment().model, 10);
    await saveModelAtomic(backend.tf, m, dir, { 'history.json': '[]' });
    expect((await readdir(dir)).sort()).toEqual(['history.json', 'model.json', 'weights.bin']);
    const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    const loaded = await loadModelFromDir(backend.tf, dir);
    const x = backend.tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 1);
    const a = m.predict(x) as ReturnType<typeof backend.tf.tensor>;
    const b = loaded.predict(x) as ReturnType<typeof backend.tf.tensor>;
    expect(backend.tf.max(backend.tf.abs(a.sub(b))).dataSync()[0]).toBeLessThan(1e-6);
    backend.tf.dispose([x, a, b]);
    m.dispose();
    loaded.dispose();
  });

  // Count the operations of one clean save, then fail each one in turn with each kind of fault.
  it('keeps the previous model intact when any single step fails (ENOSPC, EIO)', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'lb-faults-'));
    const probe = faulty(Number.MAX_SAFE_INTEGER, 'NONE');
    const m1 = model(1);
    await saveModelAtomic(backend.tf, m1, path.join(root, 'probe'), {}, nodeFileOps);
    await saveModelAtomic(backend.tf, m1, path.join(root, 'probe'), {}, probe.fs);
    const steps = probe.calls();
    expect(steps).toBeGreaterThanOrEqual(6);
    const m2 = model(2);
    for (const code of ['ENOSPC', 'EIO']) {
      for (let n = 1; n <= steps; n++) {
        const dir = path.join(root, `${code}-${n}`);
        await saveModelAtomic(backend.tf, m1, dir);
        const { fs } = faulty(n, code);
        const error = await saveModelAtomic(backend.tf, m2, dir, {}, fs).then(
          () => null,
          (e: unknown) => e,
        );
        // The final directory fsync may fail after the swap: then the new model is complete and in place.
        const value = await firstWeight(dir);
        if (error === null) {
          expect(value).toBe(2);
        } else {
          expect(error).toBeInstanceOf(SaveError);
          expect((error as SaveError).code).toBe(code);
          expect((error as SaveError).message).toContain(dir);
          expect([1, 2]).toContain(value);
          if (n < steps - 1) expect(value).toBe(1);
        }
        expect((await readdir(root)).filter((e) => e.startsWith(`${code}-${n}.`))).toEqual([]);
      }
    }
    m1.dispose();
    m2.dispose();
  });

  it('says "the disk is full" on ENOSPC, naming the file', async () => {
    const dir = path.join(await mkdtemp(path.join(tmpdir(), 'lb-full-')), 'model');
    const m = model(1);
    // The 3rd operation is the first file write (after two mkdirs).
    const { fs } = faulty(3, 'ENOSPC');
    await expect(saveModelAtomic(backend.tf, m, dir, {}, fs)).rejects.toThrow(/disk full \(ENOSPC\) while writing .*model\.json/);
    m.dispose();
  });

  it('recovers a save cut off between its two renames (a crash): the previous model comes back', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'lb-crash-'));
    const dir = path.join(root, 'model');
    const m1 = model(1);
    await saveModelAtomic(backend.tf, m1, dir);
    // Simulate a crash right after the old folder was moved aside: no rollback runs.
    const { rename } = await import('node:fs/promises');
    await rename(dir, `${dir}.previous`);
    expect(await nodeFileOps.exists(dir)).toBe(false);
    await recoverInterruptedSave(dir);
    expect(await firstWeight(dir)).toBe(1);
    m1.dispose();
  });
});
