/**
 * Export and import on a real full disk: a small tmpfs filled to leave a few free-space levels, every export
 * format and import written onto it through the CLI. Each attempt either succeeds with a whole file (read back
 * by importing it) or exits 4 naming the target and "disk full", with the previous export untouched and no
 * temporary left behind; the HDF5 library's diagnostics never reach the terminal.
 *
 * Mounting needs root (CI runs as root); elsewhere the table is skipped and says why.
 */
import { execFileSync } from 'node:child_process';
import fs, { mkdirSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ModelSpec } from '../../../common/spec.js';
import { EXIT } from '../../../main/cli/exit-codes.js';
import { main } from '../../../main/cli/main.js';
import type { EngineBackend } from '../../../main/engine/tf-types.js';
import { testBackend } from '../helpers/backend.js';
import { experimentOf, seededModel, writeRunFolder } from '../export/models.js';

/** About 330 KB of weights, so the free-space levels below cut through the middle of every export. */
const WIDE_MODEL: ModelSpec = {
  name: 'wide',
  inputShape: [8, 8, 1],
  layers: [{ type: 'Flatten' }, { type: 'Dense', units: 1280, activation: 'relu' }, { type: 'Dense', units: 3 }],
};

const FREE_KB = [0, 16, 64, 160, 300, 2000];
const FORMATS = [
  { format: 'keras', name: 'm.keras' },
  { format: 'h5', name: 'm.h5' },
  { format: 'tfjs', name: 'm-tfjs' },
  { format: 'python', name: 'train.py' },
];

function tryMount(dir: string): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (e) {
    return `cannot mount a tmpfs at ${dir} (needs root): ${(e as Error).message.split('\n')[0]}`;
  }
}

let work = '';
let disk = '';
let run = '';
let backend: EngineBackend;
const mountProblem = process.platform === 'linux' ? undefined : 'tmpfs mounts need Linux';
let skipReason = mountProblem;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'lb-disk-full-'));
  disk = path.join(work, 'disk');
  mkdirSync(disk);
  skipReason ??= tryMount(disk);
  if (skipReason) return;
  backend = await testBackend();
  run = path.join(work, 'run');
  const model = seededModel(backend.tf, WIDE_MODEL, 5);
  await writeRunFolder(backend.tf, model, experimentOf(WIDE_MODEL), run);
  model.dispose();
});

afterAll(async () => {
  if (!skipReason) execFileSync('umount', [disk]);
  if (work) await rm(work, { recursive: true, force: true });
});

/** Runs the CLI in-process, capturing its output and anything written straight to file descriptor 2. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  const raw = vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, data: unknown, ...rest: unknown[]) => {
    if (fd !== 2) return Reflect.apply(realWriteSync, fs, [fd, data, ...rest]) as number;
    const [offset = 0, length] = rest as [number?, number?];
    const bytes =
      typeof data === 'string'
        ? Buffer.from(data)
        : Buffer.from(data as Uint8Array).subarray(offset, length === undefined ? undefined : offset + length);
    err += bytes.toString();
    return bytes.length;
  }) as typeof fs.writeSync);
  try {
    return { code: await main(argv), out, err };
  } finally {
    raw.mockRestore();
    o.mockRestore();
    e.mockRestore();
  }
}
const realWriteSync = fs.writeSync;

/** Empties the disk, puts a copy of `previous` at `target`, then fills the disk to leave `freeKb` free. */
async function prepare(freeKb: number, previous: string, target: string): Promise<void> {
  for (const name of readdirSync(disk)) rmSync(path.join(disk, name), { recursive: true, force: true });
  await cp(previous, target, { recursive: true });
  const { bavail, bsize } = statfsSync(disk);
  const fill = Math.max(0, bavail * bsize - freeKb * 1024);
  // Filled in one go: tmpfs counts whole pages, so the free space left is what was asked for, to the page.
  writeFileSync(path.join(disk, 'filler'), Buffer.alloc(fill));
}

/** Everything on the disk, files in folders as "folder/file" with their bytes. */
function snapshot(target: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string, rel: string) => {
    if (fs.statSync(p).isDirectory()) for (const n of readdirSync(p)) walk(path.join(p, n), rel ? `${rel}/${n}` : n);
    // The script's header carries the export date: the rest must match.
    else
      out[rel] = readFileSync(p)
        .toString('latin1')
        .replace(/exported \d{4}-\d\d-\d\d/, 'exported <date>');
  };
  walk(target, '');
  return out;
}

describe('export and import onto a full disk (tmpfs)', () => {
  for (const { format, name } of FORMATS) {
    it(`export --format ${format}: whole file or exit 4 with the previous one kept, at every free-space level`, async (ctx) => {
      if (skipReason) return ctx.skip(skipReason);
      const target = path.join(disk, name);
      // Same base name as the target: the Python script names itself in its usage line.
      const previousCopy = path.join(work, `previous-${format}`, name);
      expect((await cli('export', run, '--format', format, '--out', previousCopy)).code).toBe(EXIT.ok);
      const codes: number[] = [];
      for (const freeKb of FREE_KB) {
        const where = `${format} with ${freeKb} KB free`;
        await prepare(freeKb, previousCopy, target);
        const before = snapshot(target);
        // --force: the previous export is there to be replaced (a tfjs folder is not replaced without it).
        const r = await cli('export', run, '--format', format, '--out', target, '--force');
        codes.push(r.code);
        expect(r.err, where).not.toContain('HDF5-DIAG');
        expect(readdirSync(disk).sort(), where).toEqual(['filler', name]);
        if (r.code === EXIT.ok) {
          expect(r.out, where).toContain(`Exported ${format} to ${target}`);
          if (format === 'keras' || format === 'h5') {
            // Read back: the file imports, and the weights survive the trip.
            const back = path.join(work, `back-${format}-${freeKb}`);
            const imported = await cli('import', target, '--out', back);
            expect(imported.code, `${where}: ${imported.err}`).toBe(EXIT.ok);
            expect(readFileSync(path.join(back, 'weights.bin')), where).toEqual(readFileSync(path.join(run, 'model', 'weights.bin')));
          } else {
            expect(snapshot(target), where).toEqual(snapshot(previousCopy));
          }
        } else {
          expect(r.code, `${where}: ${r.err}`).toBe(EXIT.io);
          expect(r.err, where).toContain(target);
          expect(r.err, where).toMatch(/disk full \(ENOSPC\)/);
          expect(snapshot(target), where).toEqual(before);
        }
      }
      // The levels reach both outcomes: a full disk fails, a roomy one succeeds.
      expect(codes[0]).toBe(EXIT.io);
      expect(codes[codes.length - 1]).toBe(EXIT.ok);
    });
  }

  it('import onto a full disk: whole model folder or exit 4 with the previous one kept', async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const source = path.join(work, 'source.keras');
    expect((await cli('export', run, '--format', 'keras', '--out', source)).code).toBe(EXIT.ok);
    const previousCopy = path.join(work, 'previous-import');
    expect((await cli('import', source, '--out', previousCopy)).code).toBe(EXIT.ok);
    const target = path.join(disk, 'imported');
    const codes: number[] = [];
    for (const freeKb of FREE_KB) {
      const where = `import with ${freeKb} KB free`;
      await prepare(freeKb, previousCopy, target);
      const before = snapshot(target);
      const r = await cli('import', source, '--out', target, '--force');
      codes.push(r.code);
      expect(readdirSync(disk).sort(), where).toEqual(['filler', 'imported']);
      if (r.code === EXIT.ok) expect(snapshot(target), where).toEqual(snapshot(previousCopy));
      else {
        expect(r.code, `${where}: ${r.err}`).toBe(EXIT.io);
        expect(r.err, where).toContain(target);
        expect(r.err, where).toMatch(/disk full \(ENOSPC\)/);
        expect(snapshot(target), where).toEqual(before);
      }
    }
    expect(codes[0]).toBe(EXIT.io);
    expect(codes[codes.length - 1]).toBe(EXIT.ok);
  });
});
