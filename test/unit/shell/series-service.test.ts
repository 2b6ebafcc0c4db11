/**
 * Series in the app's service: `series:start` plans a series (validated like a series file) and trains it
 * through the training host one run at a time; `series:progress` tells the current run, the epochs left and the
 * time left; `series:stop` stops the current run and keeps what is done; `series:resume` goes on from there.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Events, Result, RunSummary, SeriesSummary } from '../../../common/contract.js';
import { createService } from '../../../main/service/service.js';
import { EPOCH_MS, RUN_START_MS, SeriesHost } from './series-host.js';

const current = {
  model: {
    name: 'mine',
    inputShape: [28, 28, 1],
    layers: [{ type: 'Flatten' }, { type: 'Dense', units: 10, activation: 'softmax' }],
  },
  training: { epochs: 5 },
};

/** Two variants (the edited model and a preset), two learning rates, two epochs: 4 runs, 8 epochs. */
const SERIES = {
  name: 'app series',
  variants: [
    { name: 'current', experiment: current },
    { name: 'baseline', preset: 'seed-baseline' },
  ],
  training: { epochs: 2 },
  grid: { learningRate: [0.001, 0.01] },
};

function setup() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lb-series-service-'));
  const host = new SeriesHost();
  const progress: Events['series:progress'][] = [];
  const service = createService(
    {
      mode: 'browser',
      dataDir,
      version: '0.0.0',
      versions: { node: process.versions.node },
      host,
      emit: (event, payload) => {
        if (event === 'series:progress') progress.push(payload as Events['series:progress']);
      },
    },
    { now: host.now },
  );
  return { dataDir, host, service, progress };
}

async function value<T>(p: Promise<Result<unknown>>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

describe('series in the app', () => {
  it('trains every planned run through the host, in order, with the series recorded and progress with the time left', async () => {
    const { service, host, progress } = setup();
    const started = await value<{ seriesId: string; runIds: string[] }>(
      service.handle('series:start', { series: SERIES, datasetId: 'mnist' }),
    );
    expect(started.runIds).toHaveLength(4);
    await service.series.whenIdle();

    expect(host.jobs.map((j) => [j.mode, j.runId])).toEqual(started.runIds.map((id) => ['start', id]));
    expect(host.jobs.map((j) => j.experiment.training.learningRate)).toEqual([0.001, 0.01, 0.001, 0.01]);
    expect(host.jobs[0].experiment.model.layers).toEqual(current.model.layers);
    expect(host.jobs[0].series?.group).toBe('current lr=0.001');

    // After the first epoch: 1 of 8 done in the run's start and one epoch, so 7 more of those are left.
    const first = progress.find((p) => p.epochsDone === 1)!;
    const perEpoch = RUN_START_MS + EPOCH_MS;
    expect(first).toMatchObject({ status: 'running', total: 4, epochsTotal: 8, msPerEpoch: perEpoch, etaMs: 7 * perEpoch });
    // Two runs (two starts, 0.5 s each) and four epochs (1 s each) in: 5 s for 4 epochs, 4 left.
    expect(progress.find((p) => p.epochsDone === 4)).toMatchObject({ msPerEpoch: 1250, etaMs: 4 * 1250 });
    expect(first.current).toMatchObject({ runId: started.runIds[0], variant: 'current', index: 0, repeat: 0, step: 'start' });
    const third = progress.find((p) => p.current?.index === 2)!;
    expect(third.current).toMatchObject({ variant: 'baseline', group: 'baseline lr=0.001' });
    expect(progress.at(-1)).toMatchObject({ status: 'finished', runsDone: 4, epochsDone: 8, etaMs: 0 });
    expect(progress.at(-1)?.current).toBeUndefined();

    const runs = (await value<{ runs: RunSummary[] }>(service.handle('runs:list', {}))).runs;
    const inSeries = runs.filter((r) => r.series?.seriesId === started.seriesId);
    expect(inSeries.map((r) => r.runId).sort()).toEqual([...started.runIds].sort());
    expect(inSeries.every((r) => r.status === 'finished')).toBe(true);

    const listed = (await value<{ series: SeriesSummary[] }>(service.handle('series:list', {}))).series;
    expect(listed).toMatchObject([{ seriesId: started.seriesId, name: 'app series', status: 'finished', finished: 4, resumable: false }]);
    expect(listed[0].runIds).toEqual(started.runIds);

    const { report } = await value<{ report: { groups: { group: string; runs: number }[] } }>(
      service.handle('series:report', { seriesId: started.seriesId }),
    );
    expect(report.groups.map((g) => g.group).sort()).toEqual([
      'baseline lr=0.001',
      'baseline lr=0.01',
      'current lr=0.001',
      'current lr=0.01',
    ]);
  });

  it('stops the current run cleanly and keeps finished runs; resume continues the stopped run and trains the rest', async () => {
    const { service, host, progress } = setup();
    let seriesId = '';
    // Stop during the second run, after its first epoch.
    host.afterEpoch = async (job, epoch) => {
      if (job === host.jobs[1] && epoch === 1) await value(service.handle('series:stop', { seriesId }));
    };
    const started = await value<{ seriesId: string; runIds: string[] }>(
      service.handle('series:start', { series: SERIES, datasetId: 'mnist' }),
    );
    seriesId = started.seriesId;
    await service.series.whenIdle();

    expect(host.jobs).toHaveLength(2);
    expect(progress.at(-1)).toMatchObject({ status: 'stopped', runsDone: 1, epochsDone: 3 });
    let runs = (await value<{ runs: RunSummary[] }>(service.handle('runs:list', {}))).runs;
    const status = (id: string) => runs.find((r) => r.runId === id)?.status;
    expect(status(started.runIds[0])).toBe('finished');
    expect(status(started.runIds[1])).toBe('stopped');
    expect(existsSync(path.join(service.layout.runs, started.runIds[2]))).toBe(false);
    const stopped = (await value<{ series: SeriesSummary[] }>(service.handle('series:list', {}))).series[0];
    expect(stopped).toMatchObject({ status: 'stopped', resumable: true, finished: 1, active: false });

    host.afterEpoch = () => {};
    const finishedRun = readFileSync(path.join(service.layout.runs, started.runIds[0], 'epochs.jsonl'), 'utf8');
    await value(service.handle('series:resume', { seriesId }));
    await service.series.whenIdle();

    // The finished run is not retrained; the stopped one resumes; the others start.
    expect(host.jobs.slice(2).map((j) => [j.mode, j.runId])).toEqual([
      ['resume', started.runIds[1]],
      ['start', started.runIds[2]],
      ['start', started.runIds[3]],
    ]);
    expect(readFileSync(path.join(service.layout.runs, started.runIds[0], 'epochs.jsonl'), 'utf8')).toBe(finishedRun);
    const resumedFirst = progress.find((p) => p.current?.step === 'resume')!;
    expect(resumedFirst).toMatchObject({ runsDone: 1, epochsDone: 2 });
    expect(progress.at(-1)).toMatchObject({ status: 'finished', runsDone: 4, epochsDone: 8 });
    runs = (await value<{ runs: RunSummary[] }>(service.handle('runs:list', {}))).runs;
    expect(started.runIds.map(status)).toEqual(['finished', 'finished', 'finished', 'finished']);
    const lines = readFileSync(path.join(service.layout.runs, started.runIds[1], 'epochs.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(lines.map((l) => JSON.parse(l).epoch)).toEqual([1, 2]);
  });

  it('refuses a bad series naming the field, a model that does not fit the dataset naming the variant, and a run while a series trains', async () => {
    const { service, host } = setup();
    const bad = await service.handle('series:start', { series: { ...SERIES, grid: { batchSize: [0] } }, datasetId: 'mnist' });
    expect(bad.ok ? '' : bad.error.message).toMatch(/grid\.batchSize\[0\]/);
    const wrongShape = { ...current, model: { ...current.model, inputShape: [32, 32, 3] } };
    const misfit = await service.handle('series:start', {
      series: { ...SERIES, variants: [{ name: 'current', experiment: wrongShape }] },
      datasetId: 'mnist',
    });
    expect(misfit.ok ? '' : `${misfit.error.code} ${misfit.error.message}`).toMatch(/SPEC_INVALID variants\[0\] "current": .*32x32x3/);
    const byPath = await service.handle('series:start', {
      series: { name: 's', variants: [{ name: 'f', spec: '/etc/passwd' }] },
      datasetId: 'mnist',
    });
    expect(byPath.ok ? '' : byPath.error.message).toMatch(/variants\[0\] "f": the app does not read spec files/);
    expect(host.jobs).toHaveLength(0);

    let refused = '';
    host.afterEpoch = async () => {
      const r = await service.handle('training:start', { experiment: current, datasetId: 'mnist' });
      refused ||= r.ok ? 'started' : `${r.error.code} ${r.error.message}`;
    };
    await value(service.handle('series:start', { series: SERIES, datasetId: 'mnist' }));
    await service.series.whenIdle();
    expect(refused).toMatch(/^BUSY .*app series/);
  });

  it('goes on after a failed run and names it; a run that cannot start ends the series failed with the reason, resumable', async () => {
    const { service, host, progress } = setup();
    host.failJobs.add(1);
    host.refuseJobs.add(3);
    const started = await value<{ seriesId: string; runIds: string[] }>(
      service.handle('series:start', { series: SERIES, datasetId: 'mnist' }),
    );
    await service.series.whenIdle();
    const end = progress.at(-1)!;
    expect(end.status).toBe('failed');
    expect(end.message).toMatch(
      /run 4 of the series \(baseline lr=0.01, seed 42\) could not start: cannot start the training process: spawn ENOMEM/,
    );
    const listed = (await value<{ series: SeriesSummary[] }>(service.handle('series:list', {}))).series[0];
    // series.json does not claim `running` after its loop is gone.
    expect(listed).toMatchObject({ status: 'stopped', resumable: true, finished: 2 });

    await value(service.handle('series:resume', { seriesId: started.seriesId }));
    await service.series.whenIdle();
    // The failed run is kept as failed (it would fail the same way again); only the one that never started trains.
    expect(host.jobs.slice(3).map((j) => [j.mode, j.runId])).toEqual([['start', started.runIds[3]]]);
    expect(progress.at(-1)).toMatchObject({ status: 'finished', runsDone: 4 });
    expect(progress.at(-1)?.message).toBe('failed runs: 02-current-lr=0.01-seed42');
  });

  it('when the app quits (abort), the series starts no further run and its folder says stopped', async () => {
    const { service, host } = setup();
    host.afterEpoch = (job, epoch) => {
      if (epoch === 1 && job === host.jobs[0]) void service.series.abort();
    };
    await value(service.handle('series:start', { series: SERIES, datasetId: 'mnist' }));
    await service.series.whenIdle();
    expect(host.jobs).toHaveLength(1);
    const listed = (await value<{ series: SeriesSummary[] }>(service.handle('series:list', {}))).series[0];
    expect(listed).toMatchObject({ status: 'stopped', resumable: true });
  });

  it('answers BUSY to a second series sent while the first is still being planned', async () => {
    const { service, host } = setup();
    const [first, second] = await Promise.all([
      service.handle('series:start', { series: SERIES, datasetId: 'mnist' }),
      service.handle('series:start', { series: { ...SERIES, name: 'second' }, datasetId: 'mnist' }),
    ]);
    expect(first.ok).toBe(true);
    expect(second.ok ? '' : `${second.error.code} ${second.error.message}`).toMatch(/^BUSY a series is being started/);
    await service.series.whenIdle();
    expect(host.jobs).toHaveLength(4);
  });
});
