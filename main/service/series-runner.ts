/**
 * The app's experiment series: planned from a `series:start` request (a series file's shape), kept as series
 * folders under the data folder's `series/`, and trained in the background by main/series's loop, the same
 * one the CLI uses, with each run handed to the training host like `training:start` (one run at a time, in
 * its own training process). Runs live in the app's runs folder, so the Runs view lists them like any run;
 * run.json records their series. `series:progress` reports the current run, runs and epochs left, and the
 * time left (epochs left times the measured time per epoch).
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fail, ok, type Result, type RunId, type SeriesSummary } from '../../common/contract.js';
import type { SeriesFile } from '../../common/series.js';
import { summarize } from '../../common/summarize.js';
import { planExperiments } from '../series/plan-experiments.js';
import { readSeriesRecord, SeriesError, writeSeriesRecord, type SeriesPlanEntry, type SeriesRecord } from '../series/series-folder.js';
import { stepFor } from '../series/series-loop.js';
import { trainInBackground, type ActiveSeries } from './series-training.js';
import { seriesReport } from '../series/write-report.js';
import type { DatasetCatalog } from './dataset-catalog.js';
import { newRunId, safeSegment, type DataLayout } from './data-dir.js';
import type { ServiceDeps } from './types.js';
import type { SeriesReport } from '../../common/series-report.js';

/** The run id of a planned run: the series id and the run's key, as one folder name in the runs folder. */
function runIdOf(seriesId: string, entry: SeriesPlanEntry): RunId {
  return `${seriesId}--${safeSegment(entry.key, 'run')}`.slice(0, 120);
}

export class SeriesRunner {
  private active: ActiveSeries | null = null;
  /** A start or resume is between its checks and its launch: a second one must wait its turn. */
  private claimed = false;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly layout: DataLayout,
    private readonly datasets: DatasetCatalog,
    /** The clock the time left is measured with (tests pass their own). */
    private readonly now: () => number = Date.now,
  ) {}

  /** What blocks a single run from starting: the series training now, or null. */
  busyReason(): string | null {
    if (this.active) return `the series "${this.active.progress.name}" is training; stop it or wait until it ends`;
    return this.claimed ? 'a series is being started' : null;
  }

  /**
   * The app is quitting: the series ends after its current run (which the host is killing), not with the next
   * run started; its folder says `stopped`, so it resumes next time.
   */
  abort(): Promise<void> {
    this.active?.stop.abort();
    return this.whenIdle();
  }

  /** Resolves when the series in progress (if any) has ended; for tests and shutdown. */
  whenIdle(): Promise<void> {
    return this.active?.done ?? Promise.resolve();
  }

  seriesDir(seriesId: string): string {
    return path.join(this.layout.series, seriesId);
  }

  async start(series: SeriesFile, datasetId: string, seed?: number): Promise<Result<{ seriesId: string; runIds: RunId[] }>> {
    const busy = this.busy();
    if (busy) return busy;
    this.claimed = true;
    try {
      return await this.plan(series, datasetId, seed);
    } finally {
      this.claimed = false;
    }
  }

  private async plan(series: SeriesFile, datasetId: string, seed?: number): Promise<Result<{ seriesId: string; runIds: RunId[] }>> {
    const fromFile = series.variants.findIndex((v) => v.spec !== undefined);
    if (fromFile >= 0) {
      return fail(
        'INVALID_REQUEST',
        `series:start: variants[${fromFile}] "${series.variants[fromFile].name}": the app does not read spec files by path; open the spec file and send its model as "experiment"`,
      );
    }
    const ds = await this.datasets.info(datasetId);
    if (!ds) return fail('NOT_FOUND', `unknown dataset "${datasetId}": import it first (dataset:import) or pick one from dataset:list`);
    // The same checks as training:start, per variant, before anything is written.
    for (const [i, v] of series.variants.entries()) {
      if (!v.experiment) continue;
      const where = `variants[${i}] "${v.name}"`;
      const shape = v.experiment.model.inputShape.join('x');
      if (shape !== ds.inputShape.join('x')) {
        return fail('SPEC_INVALID', `${where}: the model expects ${shape} images but ${ds.name} has ${ds.inputShape.join('x')}`);
      }
      const summary = summarize(v.experiment.model, { numClasses: ds.classNames.length });
      if (!summary.ok) {
        return fail('SPEC_INVALID', `${where}: the model cannot be trained on ${ds.name}: ${summary.errors[0]?.message ?? ''}`, {
          errors: summary.errors,
        });
      }
    }
    let plan: SeriesPlanEntry[];
    try {
      plan = await planExperiments(series, {
        target: { inputShape: ds.inputShape, numClasses: ds.classNames.length },
        ...(seed !== undefined ? { seed } : {}),
      });
    } catch (e) {
      if (e instanceof SeriesError) return fail('SPEC_INVALID', e.message);
      throw e;
    }
    let seriesId = newRunId(series.name.slice(0, 40));
    for (let n = 2; existsSync(this.seriesDir(seriesId)); n++) seriesId = `${newRunId(series.name.slice(0, 40))}-${n}`;
    const dir = this.seriesDir(seriesId);
    // The runs go to the app's runs folder (listed like any run); series.json finds them relative to itself.
    const located = plan.map((entry) => ({ ...entry, runDir: path.relative(dir, path.join(this.layout.runs, runIdOf(seriesId, entry))) }));
    const record: SeriesRecord = {
      version: 1,
      name: series.name,
      ...(series.description ? { description: series.description } : {}),
      createdAt: new Date().toISOString(),
      datasetId,
      source: 'app',
      plan: located,
      status: 'stopped',
    };
    await mkdir(this.layout.runs, { recursive: true });
    await writeSeriesRecord(dir, record);
    this.launch(seriesId, record);
    return ok({ seriesId, runIds: located.map((e) => runIdOf(seriesId, e)) });
  }

  async resume(seriesId: string): Promise<Result<{ seriesId: string }>> {
    const busy = this.busy();
    if (busy) return busy;
    this.claimed = true;
    try {
      return await this.relaunch(seriesId);
    } finally {
      this.claimed = false;
    }
  }

  private async relaunch(seriesId: string): Promise<Result<{ seriesId: string }>> {
    const record = await this.read(seriesId);
    if (!record) return fail('NOT_FOUND', `no series "${seriesId}" in ${this.layout.series}`);
    if (record.status === 'finished') return fail('NOT_AVAILABLE', `the series "${record.name}" cannot be resumed: it finished`);
    this.launch(seriesId, record);
    return ok({ seriesId });
  }

  stop(seriesId: string): Result<{ stopping: boolean }> {
    const active = this.active;
    if (!active || active.seriesId !== seriesId) {
      return existsSync(this.seriesDir(seriesId)) ? ok({ stopping: false }) : fail('NOT_FOUND', `no series "${seriesId}"`);
    }
    active.stop.abort();
    if (active.runId) this.deps.host.stop(active.runId);
    return ok({ stopping: true });
  }

  async list(): Promise<SeriesSummary[]> {
    let ids: string[];
    try {
      ids = (await readdir(this.layout.series, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch {
      return [];
    }
    const out: SeriesSummary[] = [];
    for (const seriesId of ids.sort()) {
      const record = await this.read(seriesId);
      if (record) out.push(await this.summary(seriesId, record));
    }
    return out;
  }

  async report(seriesId: string): Promise<Result<{ report: SeriesReport }>> {
    if (!(await this.read(seriesId))) return fail('NOT_FOUND', `no series "${seriesId}" in ${this.layout.series}`);
    return ok({ report: await seriesReport(this.seriesDir(seriesId)) });
  }

  private busy(): Result<never> | null {
    const series = this.busyReason();
    if (series) return fail('BUSY', series);
    const run = this.deps.host.activeRuns()[0];
    return run ? fail('BUSY', `run "${run}" is still training; stop it or wait until it ends`) : null;
  }

  private async read(seriesId: string): Promise<SeriesRecord | null> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$/.test(seriesId)) return null;
    try {
      return await readSeriesRecord(this.seriesDir(seriesId));
    } catch {
      return null;
    }
  }

  private async summary(seriesId: string, record: SeriesRecord): Promise<SeriesSummary> {
    const dir = this.seriesDir(seriesId);
    const active = this.active?.seriesId === seriesId ? this.active : null;
    let finished = 0;
    for (const entry of record.plan) {
      const step = await stepFor(path.join(dir, entry.runDir)).catch(() => 'start' as const);
      if (step === 'skip-finished') finished++;
    }
    const status: SeriesSummary['status'] = active ? 'running' : record.status === 'running' ? 'interrupted' : record.status;
    return {
      seriesId,
      name: record.name,
      ...(record.description ? { description: record.description } : {}),
      datasetId: record.datasetId,
      createdAt: record.createdAt,
      status,
      active: active !== null,
      runIds: record.plan.map((e) => path.basename(e.runDir)),
      finished,
      resumable: !active && status !== 'finished',
      ...(active ? { progress: active.progress } : {}),
    };
  }

  private launch(seriesId: string, record: SeriesRecord): void {
    const active = trainInBackground({
      host: this.deps.host,
      emit: this.deps.emit,
      dataDir: this.layout.root,
      seriesDir: this.seriesDir(seriesId),
      seriesId,
      record,
      now: this.now,
    });
    this.active = active;
    void active.done.finally(() => {
      if (this.active === active) this.active = null;
    });
  }
}
