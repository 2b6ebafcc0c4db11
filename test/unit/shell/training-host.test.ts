/**
 * The training host supervising real child processes (a protocol-speaking fixture): crash reported with
 * its reason and the history kept, a fresh process for the next run, a real out-of-memory death, cooperative
 * stop, kill after the grace period, throttled batch events, and the backend probe.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EventName, Events } from '../../../common/contract.js';
import { DEFAULT_TRAINING, type ExperimentSpec } from '../../../common/spec.js';
import { nodeLauncher } from '../../../main/host/launcher.js';
import { TrainingHost } from '../../../main/host/training-host.js';
import { RunCatalog } from '../../../main/service/run-catalog.js';
import { writeFixtureProcess } from './fixture-process.js';

const experiment: ExperimentSpec = {
  model: { inputShape: [8, 8, 1], layers: [{ type: 'Flatten' }, { type: 'Dense', units: 2, activation: 'softmax' }] },
  training: { ...DEFAULT_TRAINING, epochs: 3 },
};

let entry: string;
let runsDir: string;
beforeAll(() => {
  entry = writeFixtureProcess();
  runsDir = mkdtempSync(path.join(os.tmpdir(), 'lb-host-'));
});

function recorder() {
  const events: { event: EventName; payload: unknown }[] = [];
  const emit = <E extends EventName>(event: E, payload: Events[E]) => void events.push({ event, payload });
  const of = <E extends EventName>(name: E) => events.filter((e) => e.event === name).map((e) => e.payload as Events[E]);
  return { emit, of, events };
}

function job(name: string) {
  const runId = `run-${name}-${Math.random().toString(36).slice(2, 8)}`;
  return { mode: 'start' as const, runId, dir: path.join(runsDir, runId), name, experiment, datasetId: 'mnist', dataDir: runsDir };
}

describe('TrainingHost', () => {
  it('reports a crash with its reason, keeps the history, and starts a fresh process for the next run', async () => {
    const rec = recorder();
    const host = new TrainingHost({ emit: rec.emit, entry, launcher: nodeLauncher() });
    const crashing = job('crash');
    expect((await host.start(crashing)).ok).toBe(true);
    expect(host.isActive(crashing.runId)).toBe(true);
    // One run at a time.
    expect(await host.start(job('finish'))).toMatchObject({ ok: false, error: { code: 'BUSY' } });
    await host.whenExited(crashing.runId);
    const [exit] = rec.of('training:exit');
    expect(exit).toMatchObject({ runId: crashing.runId, reason: 'crashed', status: 'crashed', code: 3, epochsDone: 1 });
    expect(exit.message).toContain('after epoch 1');
    expect(host.isActive(crashing.runId)).toBe(false);
    const info = JSON.parse(readFileSync(path.join(crashing.dir, 'run.json'), 'utf8'));
    expect(info).toMatchObject({ status: 'failed', error: { code: 'PROCESS_CRASHED' } });
    const store = new RunCatalog(runsDir, () => false);
    expect(await store.details(crashing.runId)).toMatchObject({ status: 'crashed', epochsDone: 1, resumable: true });

    // The host is not left broken: the next run gets a new process and finishes.
    const next = job('finish');
    expect((await host.start(next)).ok).toBe(true);
    await host.whenExited(next.runId);
    expect(rec.of('training:exit').at(-1)).toMatchObject({ runId: next.runId, reason: 'ended', status: 'finished' });
    expect(rec.of('training:event').filter((e) => e.runId === next.runId && e.event.type === 'epochEnd')).toHaveLength(3);
  });

  it('counts the epochs done before a resume in training:exit', async () => {
    const rec = recorder();
    const host = new TrainingHost({ emit: rec.emit, entry, launcher: nodeLauncher() });
    const j = { ...job('resumed'), mode: 'resume' as const };
    expect((await host.start(j)).ok).toBe(true);
    await host.whenExited(j.runId);
    expect(rec.of('training:exit')[0]).toMatchObject({ reason: 'ended', status: 'finished', epochsDone: 3 });
  });

  it('recognizes a real out-of-memory death of the process', async () => {
    const rec = recorder();
    const host = new TrainingHost({ emit: rec.emit, entry, launcher: nodeLauncher(['--max-old-space-size=24']) });
    const j = job('oom');
    await host.start(j);
    await host.whenExited(j.runId);
    expect(rec.of('training:exit')[0]).toMatchObject({ reason: 'oom', status: 'crashed', epochsDone: 1 });
    expect(rec.of('training:exit')[0].message).toMatch(/ran out of memory/);
    expect(JSON.parse(readFileSync(path.join(j.dir, 'run.json'), 'utf8')).error.code).toBe('PROCESS_OOM');
  });

  it('stops cooperatively, and kills a process that does not stop within the grace period', async () => {
    const rec = recorder();
    const host = new TrainingHost({ emit: rec.emit, entry, stopGraceMs: 300 });
    const polite = job('stoppable');
    await host.start(polite);
    expect(host.stop(polite.runId)).toBe(true);
    await host.whenExited(polite.runId);
    expect(rec.of('training:exit')[0]).toMatchObject({ reason: 'ended', status: 'stopped' });

    const stubborn = job('hang');
    await host.start(stubborn);
    await new Promise((r) => setTimeout(r, 200));
    host.stop(stubborn.runId);
    await host.whenExited(stubborn.runId);
    expect(rec.of('training:exit')[1]).toMatchObject({ reason: 'killed', status: 'stopped', signal: 'SIGKILL' });
    expect(host.stop('no-such-run')).toBe(false);
  });

  it('forwards every epoch but batch progress at most about 5 times a second', async () => {
    const rec = recorder();
    const host = new TrainingHost({ emit: rec.emit, entry });
    const j = job('flood');
    const t0 = Date.now();
    await host.start(j);
    await host.whenExited(j.runId);
    const seconds = (Date.now() - t0) / 1000;
    const batches = rec.of('training:event').filter((e) => e.event.type === 'batch');
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.length).toBeLessThanOrEqual(Math.ceil(seconds * 5) + 2);
    // The epoch's last progress is delivered before its end.
    const last = batches.at(-1)!.event;
    expect(last.type === 'batch' && last.batch).toBe(200);
    expect(rec.of('training:event').filter((e) => e.event.type === 'epochEnd')).toHaveLength(1);
  });

  it('probes the backend in a separate process', async () => {
    const host = new TrainingHost({ emit: () => {}, entry });
    await expect(host.probeBackend()).resolves.toEqual({ backend: { name: 'cpu', native: false, detail: 'fixture backend' } });
    const broken = new TrainingHost({ emit: () => {}, entry: path.join(runsDir, 'missing.mjs') });
    await expect(broken.probeBackend()).resolves.toHaveProperty('error');
  });
});
