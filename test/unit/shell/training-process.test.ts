/**
 * The real training process (the compiled dist/main/host/training-process.js, as browser mode runs it):
 * a tiny model on the bundled MNIST for one epoch, driven through the service and the host exactly as the UI
 * would, then saved; and a cooperative stop at a batch boundary. Needs `npm run build` (CI builds first).
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EventName, Events, Result } from '../../../common/contract.js';
import { DEFAULT_TRAINING } from '../../../common/spec.js';
import { TrainingHost } from '../../../main/host/training-host.js';
import { createService, type Service } from '../../../main/service/service.js';

const ENTRY = fileURLToPath(new URL('../../../dist/main/host/training-process.js', import.meta.url));
const model = {
  inputShape: [28, 28, 1],
  layers: [
    { type: 'Conv2D', filters: 4, kernelSize: 3, activation: 'relu' },
    { type: 'MaxPooling2D', poolSize: 2 },
    { type: 'Flatten' },
    { type: 'Dense', units: 10, activation: 'softmax' },
  ],
};

let service: Service;
let host: TrainingHost;
const events: { event: EventName; payload: unknown }[] = [];

beforeAll(() => {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run \`npm run build:main\` before these tests`);
  const emit = <E extends EventName>(event: E, payload: Events[E]) => void events.push({ event, payload });
  host = new TrainingHost({ emit, entry: ENTRY, stopGraceMs: 60_000 });
  service = createService({
    mode: 'browser',
    dataDir: mkdtempSync(path.join(os.tmpdir(), 'lb-train-')),
    version: '0',
    versions: { node: process.versions.node },
    host,
    emit,
  });
});

async function start(epochs: number, name: string, batchSize = 64): Promise<string> {
  const answer = (await service.handle('training:start', {
    experiment: { model, training: { ...DEFAULT_TRAINING, epochs, batchSize, validationSplit: 0.5 } },
    datasetId: 'mnist',
    name,
  })) as Result<{ runId: string }>;
  if (!answer.ok) throw new Error(answer.error.message);
  return answer.value.runId;
}

const exitOf = (runId: string) =>
  events.find((e) => e.event === 'training:exit' && (e.payload as { runId: string }).runId === runId)?.payload;

describe('training process', () => {
  it('trains one epoch in its own process, writes the run folder, and the model can be saved', async () => {
    const runId = await start(1, 'tiny');
    await host.whenExited(runId);
    expect(exitOf(runId)).toMatchObject({ reason: 'ended', status: 'finished', code: 0, epochsDone: 1 });
    const types = events.filter((e) => e.event === 'training:event').map((e) => (e.payload as Events['training:event']).event.type);
    expect(types[0]).toBe('start');
    expect(types).toContain('epochEnd');
    expect(types.at(-1)).toBe('end');
    const run = (await service.handle('runs:get', { runId })) as Result<{
      status: string;
      history: unknown[];
      hasModel: boolean;
      logTail: string[];
      dir: string;
    }>;
    expect(run).toMatchObject({ ok: true, value: { status: 'finished', hasModel: true } });
    // The runs table shows which backend trained each run.
    const listed = (await service.handle('runs:list', {})) as Result<{ runs: { runId: string; backend?: { name: string } }[] }>;
    expect(listed.ok && listed.value.runs.find((r) => r.runId === runId)?.backend?.name).toMatch(/^(tensorflow|wasm|cpu)$/);
    if (!run.ok) return;
    expect(run.value.history).toHaveLength(1);
    expect(run.value.logTail.join('\n')).toContain('Epoch 1/1');
    const saved = (await service.handle('model:save', { runId })) as Result<{ path: string }>;
    expect(saved.ok).toBe(true);
    if (saved.ok) expect(readdirSync(saved.value.path)).toContain('model.json');
    expect(JSON.parse(readFileSync(path.join(run.value.dir, 'run.json'), 'utf8')).backend.detail).toBeTruthy();
    // Evaluated after training on MNIST's held-out images, with the misclassified examples' pictures.
    const details = (await service.handle('runs:get', { runId })) as Result<{
      evaluation?: { count: number; accuracy: number; misclassified: { dataUrl: string | null }[] };
    }>;
    expect(details.ok && details.value.evaluation?.count).toBeGreaterThan(0);
    if (details.ok) expect(details.value.evaluation?.misclassified[0]?.dataUrl).toMatch(/^data:image\/png;base64,/);
    const evaluated = (await service.handle('runs:evaluate', { runId, model: 'final' })) as Result<{ accuracy: number }>;
    expect(evaluated.ok && evaluated.value.accuracy).toBeGreaterThan(0.3);
    // The trained model exports through main/export (browser mode: under the data folder's exports/).
    const exported = (await service.handle('model:export', { runId, format: 'keras' })) as Result<{ path: string }>;
    expect(exported).toMatchObject({ ok: true, value: { canceled: false } });
    if (exported.ok) expect(exported.value.path).toMatch(/exports[\\/]tiny\.keras$/);
  });

  it('stops cooperatively at a batch boundary and keeps what was trained', async () => {
    const runId = await start(50, 'stopped');
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (
          events.some(
            (e) =>
              e.event === 'training:event' &&
              (e.payload as Events['training:event']).runId === runId &&
              (e.payload as Events['training:event']).event.type === 'batch',
          )
        ) {
          clearInterval(t);
          resolve();
        }
      }, 20);
    });
    expect(await service.handle('training:stop', { runId })).toEqual({ ok: true, value: { stopping: true } });
    await host.whenExited(runId);
    expect(exitOf(runId)).toMatchObject({ reason: 'ended', status: 'stopped' });
    expect(await service.handle('runs:get', { runId })).toMatchObject({ ok: true, value: { status: 'stopped', resumable: true } });
  });

  it('stops within the last epoch: the stop message is read between batches, not after the epoch', async () => {
    // One epoch of thousands of one-image batches: a stop read only between epochs would let it finish.
    const runId = await start(1, 'stopped-mid-epoch', 1);
    const batchEvents = () =>
      events.filter((e) => {
        const p = e.payload as Events['training:event'];
        return e.event === 'training:event' && p.runId === runId && p.event.type === 'batch';
      });
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (batchEvents().length > 0) {
          clearInterval(t);
          resolve();
        }
      }, 20);
    });
    await service.handle('training:stop', { runId });
    await host.whenExited(runId);
    expect(exitOf(runId)).toMatchObject({ reason: 'ended', status: 'stopped' });
    expect(await service.handle('runs:get', { runId })).toMatchObject({ ok: true, value: { status: 'stopped', epochsDone: 0 } });
  });

  it('resumes a stopped run from its last checkpoint in a new process', async () => {
    // Enough epochs that the stop, sent when epoch 1 ends, lands before the run could finish on its own.
    const runId = await start(8, 'resumable');
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        const epochEnded = events.some((e) => {
          const p = e.payload as Events['training:event'];
          return e.event === 'training:event' && p.runId === runId && p.event.type === 'epochEnd';
        });
        if (epochEnded) {
          clearInterval(t);
          resolve();
        }
      }, 20);
    });
    await service.handle('training:stop', { runId });
    await host.whenExited(runId);
    const before = (await service.handle('runs:get', { runId })) as Result<{ epochsDone: number; resumable: boolean }>;
    expect(before).toMatchObject({ ok: true, value: { resumable: true } });
    expect(await service.handle('training:resume', { runId })).toMatchObject({ ok: true, value: { runId } });
    const outcome = await host.whenExited(runId);
    expect(outcome).toMatchObject({ reason: 'ended', status: 'finished' });
    const after = (await service.handle('runs:get', { runId })) as Result<{ epochsDone: number; status: string; resumes: unknown[] }>;
    expect(after).toMatchObject({ ok: true, value: { status: 'finished', epochsDone: 8 } });
    expect(await service.handle('training:resume', { runId })).toMatchObject({ ok: false, error: { code: 'NOT_AVAILABLE' } });
  });
});
