/**
 * The transport-independent service on a real data folder: runs read back with a crash-cut epoch log,
 * models saved without overwriting, spec files, datasets and sample images, and the rules on paths
 * (Electron: from dialogs only; browser mode: under the data folder, typed dataset paths only).
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AppMode, Result } from '../../../common/contract.js';
import { DEFAULT_TRAINING } from '../../../common/spec.js';
import { createService } from '../../../main/service/service.js';
import type { Dialogs } from '../../../main/service/types.js';
import { FakeHost } from './fake-host.js';

const model = { inputShape: [28, 28, 1], layers: [{ type: 'Flatten' }, { type: 'Dense', units: 10, activation: 'softmax' }] };

function setup(mode: AppMode, dialogs?: Dialogs) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lb-service-'));
  const host = new FakeHost();
  const events: unknown[] = [];
  const service = createService({
    mode,
    dataDir,
    version: '0.0.0',
    versions: { node: process.versions.node },
    host,
    emit: (e, p) => events.push([e, p]),
    ...(dialogs ? { dialogs } : {}),
  });
  return { dataDir, host, service, events };
}

function writeRun(dataDir: string, runId: string, status: string, epochsText: string) {
  const dir = path.join(dataDir, 'runs', runId);
  mkdirSync(path.join(dir, 'model'), { recursive: true });
  writeFileSync(
    path.join(dir, 'run.json'),
    JSON.stringify({
      version: 1,
      name: runId,
      createdAt: '2026-01-01T00:00:00Z',
      experiment: { model, training: DEFAULT_TRAINING },
      dataset: { id: 'mnist', name: 'MNIST', source: 'bundled', inputShape: [28, 28, 1], classNames: ['0', '1'] },
      versions: { layerbench: '0', node: '20' },
      status,
    }),
  );
  writeFileSync(path.join(dir, 'epochs.jsonl'), epochsText);
  writeFileSync(path.join(dir, 'model', 'model.json'), '{}');
  writeFileSync(path.join(dir, 'model', 'weights.bin'), 'w');
  return dir;
}

const epochLine = (n: number, val: number) =>
  JSON.stringify({ epoch: n, loss: 1, accuracy: 0.5, val_accuracy: val, durationMs: 5, samples: 10 }) + '\n';

async function value<T>(p: Promise<Result<unknown>>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

describe('runs', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => (s = setup('browser')));

  it('lists runs and reads a run whose epoch log a crash cut short, as crashed with its epochs kept', async () => {
    writeRun(s.dataDir, 'a-run', 'running', epochLine(1, 0.3) + epochLine(2, 0.6) + '{"epoch": 3, "lo');
    const { runs } = await value<{
      runs: { runId: string; status: string; epochsDone: number; bestValAccuracy: number; problems: { message: string }[] }[];
    }>(s.service.handle('runs:list', {}));
    expect(runs).toEqual([
      expect.objectContaining({ runId: 'a-run', status: 'crashed', epochsDone: 2, bestValAccuracy: 0.6, hasModel: true }),
    ]);
    const details = await value<{ history: unknown[] }>(s.service.handle('runs:get', { runId: 'a-run' }));
    expect(details.history).toHaveLength(2);
    s.host.active.add('a-run');
    expect(await value<{ status: string }>(s.service.handle('runs:get', { runId: 'a-run' }))).toMatchObject({
      status: 'running',
      active: true,
    });
    expect(await s.service.handle('runs:delete', { runId: 'a-run' })).toMatchObject({ ok: false, error: { code: 'BUSY' } });
    s.host.active.clear();
    expect(await s.service.handle('runs:delete', { runId: 'a-run' })).toMatchObject({ ok: true });
    expect(await s.service.handle('runs:get', { runId: 'a-run' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('saves a model in browser mode under the data folder, never over an earlier save', async () => {
    writeRun(s.dataDir, 'm', 'finished', epochLine(1, 0.5));
    const first = await value<{ path: string; files: string[] }>(s.service.handle('model:save', { runId: 'm' }));
    const second = await value<{ path: string }>(s.service.handle('model:save', { runId: 'm' }));
    expect(first.path.startsWith(path.join(s.dataDir, 'saved'))).toBe(true);
    expect(second.path).not.toBe(first.path);
    expect(readdirSync(first.path).sort()).toEqual(['model.json', 'weights.bin']);
  });

  it('starts training only on a listed dataset, through the host', async () => {
    expect(await s.service.handle('training:start', { experiment: { model }, datasetId: 'folder:/etc' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    const bad = { model: { ...model, layers: [{ type: 'Dense', units: 0 }] } };
    expect(await s.service.handle('training:start', { experiment: bad, datasetId: 'mnist' })).toMatchObject({
      ok: false,
      error: { code: 'SPEC_INVALID' },
    });
    const started = await value<{ runId: string }>(
      s.service.handle('training:start', { experiment: { model }, datasetId: 'mnist', name: 'my run' }),
    );
    expect(started.runId).toMatch(/-my-run$/);
    expect(s.host.started[0]).toMatchObject({ datasetId: 'mnist', name: 'my run' });
    expect(await s.service.handle('training:stop', { runId: started.runId })).toEqual({ ok: true, value: { stopping: true } });
  });

  it("offers the CLI's recovery for a run killed during its final save: resume finishes the save", async () => {
    // Every planned epoch logged, run.json still "running" (its process gone), no model/ yet.
    const dir = writeRun(s.dataDir, 'cut', 'running', [1, 2, 3].map((n) => epochLine(n, 0.5)).join(''));
    const info = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8'));
    writeFileSync(
      path.join(dir, 'run.json'),
      JSON.stringify({ ...info, experiment: { model, training: { ...DEFAULT_TRAINING, epochs: 3 } } }),
    );
    rmSync(path.join(dir, 'model'), { recursive: true });
    expect(await value(s.service.handle('runs:get', { runId: 'cut' }))).toMatchObject({
      status: 'crashed',
      epochsDone: 3,
      hasModel: false,
      resumable: true,
    });
    const evaluated = await s.service.handle('runs:evaluate', { runId: 'cut' });
    expect(evaluated).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    if (!evaluated.ok) expect(evaluated.error.message).toContain('resume it to write the model from its last checkpoint');
    expect(await s.service.handle('training:resume', { runId: 'cut' })).toMatchObject({ ok: true });
    expect(s.host.started).toEqual([expect.objectContaining({ mode: 'resume', runId: 'cut', dir })]);
  });

  it('refuses to export a run without a model, or to an unknown format', async () => {
    expect(await s.service.handle('model:export', { runId: 'nope', format: 'keras' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    writeRun(s.dataDir, 'e', 'finished', epochLine(1, 0.5));
    expect(await s.service.handle('model:export', { runId: 'e', format: 'onnx' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_REQUEST' },
    });
  });
});

describe('datasets', () => {
  it('lists the bundled dataset and gives sample images as PNG data URLs with labels', async () => {
    const s = setup('browser');
    const { datasets } = await value<{ datasets: { id: string; trainCount: number; classNames: string[] }[] }>(
      s.service.handle('dataset:list', {}),
    );
    expect(datasets[0]).toMatchObject({ id: 'mnist', kind: 'bundled', inputShape: [28, 28, 1] });
    const { samples } = await value<{ samples: { dataUrl: string; label: string; classIndex: number }[] }>(
      s.service.handle('dataset:samples', { datasetId: 'mnist', count: 4 }),
    );
    expect(samples).toHaveLength(4);
    const png = Buffer.from(samples[0].dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64');
    expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 28, height: 28 });
    expect(samples[0].label).toBe(datasets[0].classNames[samples[0].classIndex]);
    expect(await s.service.handle('dataset:samples', { datasetId: 'mnist', count: 1000 })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_REQUEST' },
    });
  });

  it('model:export refuses a folder the save dialog returned unless the request says force, and a run folder always', async () => {
    let chosen = '';
    const dialogs: Dialogs = {
      pickDirectory: async () => null,
      pickFile: async () => null,
      pickFiles: async () => null,
      saveFile: async () => chosen,
    };
    const desktop = setup('electron', dialogs);
    const runDir = writeRun(desktop.dataDir, 'r', 'finished', epochLine(1, 0.5));
    chosen = path.join(desktop.dataDir, 'user-folder');
    mkdirSync(chosen);
    writeFileSync(path.join(chosen, 'f'), 'x');
    const refused = await desktop.service.handle('model:export', { runId: 'r', format: 'keras' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'TARGET_EXISTS', details: { path: chosen, forceAllows: true } } });
    expect(readFileSync(path.join(chosen, 'f'), 'utf8')).toBe('x');
    // Confirmed: the resend with force writes to the path refused, without a second dialog (the run's
    // stand-in model then fails to read: the folder is no longer the obstacle).
    let asked = 0;
    dialogs.saveFile = async () => (asked++, path.join(desktop.dataDir, 'elsewhere.keras'));
    const forced = await desktop.service.handle('model:export', { runId: 'r', format: 'keras', force: true });
    expect(forced).toMatchObject({ ok: false, error: { code: 'IO_ERROR' } });
    if (!forced.ok) expect(forced.error.message).toContain(path.join(runDir, 'model'));
    expect(asked).toBe(0);
    // Only once: the next export asks again.
    await desktop.service.handle('model:export', { runId: 'r', format: 'keras', force: true });
    expect(asked).toBe(1);
    dialogs.saveFile = async () => chosen;
    chosen = runDir;
    expect(await desktop.service.handle('model:export', { runId: 'r', format: 'python', force: true })).toMatchObject({
      ok: false,
      error: { code: 'TARGET_EXISTS', details: { forceAllows: false } },
    });
    expect(readdirSync(runDir).sort()).toEqual(['epochs.jsonl', 'model', 'run.json']);
  });

  it('in Electron refuses a typed path and uses the dialog; in browser mode needs an absolute path', async () => {
    const asked: string[] = [];
    const dialogs: Dialogs = {
      pickDirectory: async (t) => (asked.push(t), null),
      pickFile: async () => null,
      pickFiles: async () => null,
      saveFile: async () => null,
    };
    const desktop = setup('electron', dialogs);
    expect(await desktop.service.handle('dataset:import', { kind: 'folder', path: '/etc' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_REQUEST' },
    });
    expect(await desktop.service.handle('dataset:import', { kind: 'folder' })).toEqual({ ok: true, value: { canceled: true } });
    expect(asked).toHaveLength(1);
    const browser = setup('browser');
    expect(await browser.service.handle('dataset:import', { kind: 'folder', path: 'relative/dir' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_REQUEST' },
    });
    const missing = await browser.service.handle('dataset:import', { kind: 'idx', path: path.join(browser.dataDir, 'nothing-here') });
    expect(missing).toMatchObject({ ok: false, error: { code: 'DATASET_ERROR' } });
    expect(browser.events.some((e) => (e as [string, { phase: string }])[1].phase === 'failed')).toBe(true);
  });
});

describe('spec files and summaries', () => {
  it('saves a spec in browser mode under specs/ and reopens it from content', async () => {
    const s = setup('browser');
    const saved = await value<{ path: string }>(s.service.handle('spec:save', { experiment: { model }, suggestedName: '../../evil name' }));
    expect(path.dirname(saved.path)).toBe(path.join(s.dataDir, 'specs'));
    const reopened = await value<{ experiment: { model: unknown } }>(
      s.service.handle('spec:open', { content: readFileSync(saved.path, 'utf8'), fileName: 'x.json' }),
    );
    expect(reopened.experiment.model).toEqual(model);
    const broken = await value<{ issues: { message: string }[] }>(
      s.service.handle('spec:open', { content: '{"inputShape": [28, 28, 1], "layers": [{"type": "Conv3D"}]}' }),
    );
    expect(broken.issues[0].message).toMatch(/Conv3D/);
    expect(await s.service.handle('spec:open', {})).toMatchObject({ ok: false, error: { code: 'NOT_AVAILABLE' } });
  });

  it('refuses a request or spec file nesting thousands of levels deep, naming it, before validating it', async () => {
    const { service, dataDir } = setup('browser');
    const deep = JSON.parse('['.repeat(6000) + ']'.repeat(6000)) as unknown;
    const saved = await service.handle('spec:save', { experiment: { model, notes: deep } });
    expect(saved).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    expect((saved as { error: { message: string } }).error.message).toContain(
      'spec:save: the request nests too deeply: experiment.notes[0][0]…',
    );
    const text = JSON.stringify({ model }).slice(0, -1) + `,"notes":${'['.repeat(6000)}${']'.repeat(6000)}}`;
    const opened = await service.handle('spec:open', { content: text, fileName: 'deep.json' });
    expect(JSON.stringify(opened)).toContain('deep.json nests too deeply: notes[0][0][0]…');
    expect(readdirSync(dataDir)).not.toContain('specs');
  });

  it('summarizes a model, and reports field problems as issues rather than errors', async () => {
    const s = setup('browser');
    const good = await value<{ text: string; summary: { ok: boolean } }>(s.service.handle('model:summarize', { model, numClasses: 10 }));
    expect(good.summary.ok).toBe(true);
    expect(good.text).toContain('Total params');
    const bad = await value<{ issues: { layerIndex: number }[] }>(
      s.service.handle('model:summarize', { model: { ...model, layers: [{ type: 'Dense', units: -1 }] } }),
    );
    expect(bad.issues[0].layerIndex).toBe(0);
  });
});
