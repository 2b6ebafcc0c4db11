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
import {
  fail,
  ok,
  type Result,
  type RunId,
  type SeriesCurrentRun,
  type SeriesProgress,
  type SeriesSummary,
} from '../../common/contract.js';
import { SeriesProgressTracker } from '../../common/series-progress.js';
import type { SeriesFile } from '../../common/series.js';
import { summarize } from '../../common/summarize.js';
import { planExperiments } from '../series/plan-experiments.js';
import { readSeriesRecord, SeriesError, writeSeriesRecord, type SeriesPlanEntry, type SeriesRecord } from '../series/series-folder.js';
import { stepFor, trainSeriesFolder, type RunStep, type RunToTrain, type TrainedRun } from '../series/series-loop.js';
import { seriesReport } from '../series/write-report.js';
import type { DatasetCatalog } from './dataset-catalog.js';
import { newRunId, safeSegment, type DataLayout } from './data-dir.js';
import type { ServiceDeps } from './types.js';
import type { SeriesReport } from '../../common/series-report.js';

interface ActiveSeries {
  seriesId: string;
  stop: AbortController;
  /** The run training now, for a stop. */
  runId: RunId | null;
  progress: SeriesProgress;
  /** Settles when the loop has ended and series.json says how. */
  done: Promise<void>;
}

/** The run id of a planned run: the series id and the run's key, as one folder name in the runs folder. */
function runIdOf(seriesId: string, entry: SeriesPlanEntry): RunId {
  return `${seriesId}--${safeSegment(entry.key, 'run')}`.slice(0, 120);
}

export class SeriesRunner {
  private active: ActiveSeries | null = null;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly layout: DataLayout,
    private readonly datasets: DatasetCatalog,
    /** The clock the time left is measured with (tests pass their own). */
    private readonly now: () => number = Date.now,
  ) {}

  /** What blocks a single run from starting: the series training now, or null. */
  busyReason(): string | null {
    return this.active ? `the series "${this.active.progress.name}" is training; stop it or wait until it ends` : null;
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

  /** Trains the series in the background; progress and the end are reported as events, never thrown. */
  private launch(seriesId: string, record: SeriesRecord): void {
    const tracker = new SeriesProgressTracker(
      record.plan.map((e) => e.experiment.training.epochs),
      this.now(),
    );
    const repeats = (group: string) => record.plan.filter((e) => e.group === group).length;
    const stop = new AbortController();
    let runsDone = 0;
    let current: SeriesCurrentRun | undefined;
    const failedKeys = new Set<string>();
    const progress = (status: SeriesProgress['status'], message?: string): SeriesProgress => ({
      seriesId,
      name: record.name,
      datasetId: record.datasetId,
      status,
      total: record.plan.length,
      runsDone,
      ...tracker.snapshot(),
      ...(current ? { current } : {}),
      ...(message ? { message } : {}),
    });
    const active: ActiveSeries = { seriesId, stop, runId: null, progress: progress('running'), done: Promise.resolve() };
    const report = (status: SeriesProgress['status'] = 'running', message?: string) => {
      active.progress = progress(status, message);
      this.deps.emit('series:progress', active.progress);
    };

    const trainOne = async ({ entry, index, runDir, step, seriesDir }: RunToTrain): Promise<TrainedRun> => {
      const runId = path.basename(runDir);
      current = {
        runId,
        index,
        variant: entry.variant,
        group: entry.group,
        seed: entry.seed,
        repeat: entry.repeat,
        repeats: repeats(entry.group),
        step,
      };
      report();
      const started = await this.deps.host.start(
        {
          mode: step,
          runId,
          dir: runDir,
          name: `${record.name}: ${entry.group} (seed ${entry.seed})`,
          experiment: entry.experiment,
          datasetId: record.datasetId,
          dataDir: this.layout.root,
          ...(entry.preset ? { preset: entry.preset } : {}),
          ...(step === 'start' ? { series: { dir: seriesDir, key: entry.key, group: entry.group } } : {}),
        },
        (event) => {
          if (event.type === 'start') tracker.started(index, event.initialEpoch);
          else if (event.type === 'epochEnd') tracker.epochEnded(index, this.now());
          else return;
          report();
        },
      );
      if (!started.ok) {
        throw new SeriesError(
          `run ${index + 1} of the series (${entry.group}, seed ${entry.seed}) could not start: ${started.error.message}`,
        );
      }
      active.runId = runId;
      this.deps.emit('runs:changed', { runId, change: step === 'start' ? 'created' : 'updated' });
      const exit = await this.deps.host.whenExited(runId);
      active.runId = null;
      // A run the stop ended (even by the kill after the grace period) is stopped: a resume continues it.
      const status: TrainedRun['status'] =
        exit?.status === 'finished' ? 'finished' : exit?.status === 'stopped' || stop.signal.aborted ? 'stopped' : 'failed';
      if (status === 'failed') failedKeys.add(entry.key);
      if (status !== 'stopped') runsDone++;
      tracker.ended(index, status);
      current = undefined;
      report();
      return { status, warnings: [] };
    };

    const onRun = (_entry: SeriesPlanEntry, index: number, _total: number, step: RunStep) => {
      if (step !== 'skip-finished' && step !== 'skip-failed') return;
      if (step === 'skip-failed') failedKeys.add(_entry.key);
      tracker.skipped(index);
      runsDone++;
      report();
    };

    active.done = trainSeriesFolder(this.seriesDir(seriesId), { train: trainOne }, { signal: stop.signal, onRun })
      .then(
        (outcome) => {
          const failed = [...new Set([...outcome.failed, ...failedKeys])];
          report(
            outcome.status === 'running' ? 'stopped' : outcome.status,
            failed.length ? `failed runs: ${failed.join(', ')}` : undefined,
          );
        },
        (e: unknown) => {
          current = undefined;
          report('failed', e instanceof Error ? e.message : String(e));
        },
      )
      .finally(() => {
        if (this.active === active) this.active = null;
      });
    this.active = active;
  }
}
