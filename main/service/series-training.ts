/**
 * One series trained in the background by main/series's loop: each run of the plan goes to the training host
 * as a `start` or `resume` job, like `training:start` and `training:resume`, and `series:progress` is emitted
 * as runs start and end and epochs end, with the time left measured on the clock given.
 */
import path from 'node:path';
import type { RunId, SeriesCurrentRun, SeriesProgress } from '../../common/contract.js';
import { SeriesProgressTracker } from '../../common/series-progress.js';
import type { Emit, TrainingHostLike } from '../host/protocol.js';
import { SeriesError, type SeriesPlanEntry, type SeriesRecord } from '../series/series-folder.js';
import { trainSeriesFolder, type RunStep, type RunToTrain, type TrainedRun } from '../series/series-loop.js';

export interface ActiveSeries {
  seriesId: string;
  stop: AbortController;
  /** The run training now, for a stop. */
  runId: RunId | null;
  progress: SeriesProgress;
  /** Settles when the loop has ended and series.json says how (never rejects). */
  done: Promise<void>;
}

export interface BackgroundSeries {
  host: TrainingHostLike;
  emit: Emit;
  /** The app's data folder, for the training process's dataset caches. */
  dataDir: string;
  seriesDir: string;
  seriesId: string;
  record: SeriesRecord;
  now: () => number;
}

export function trainInBackground(args: BackgroundSeries): ActiveSeries {
  const { host, emit, dataDir, seriesId, record, now } = args;
  const tracker = new SeriesProgressTracker(
    record.plan.map((e) => e.experiment.training.epochs),
    now(),
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
    emit('series:progress', active.progress);
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
    const started = await host.start(
      {
        mode: step,
        runId,
        dir: runDir,
        name: `${record.name}: ${entry.group} (seed ${entry.seed})`,
        experiment: entry.experiment,
        datasetId: record.datasetId,
        dataDir: dataDir,
        ...(entry.preset ? { preset: entry.preset } : {}),
        ...(step === 'start' ? { series: { dir: seriesDir, key: entry.key, group: entry.group } } : {}),
      },
      (event) => {
        if (event.type === 'start') tracker.started(index, event.initialEpoch);
        else if (event.type === 'epochEnd') tracker.epochEnded(index, now());
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
    emit('runs:changed', { runId, change: step === 'start' ? 'created' : 'updated' });
    const exit = await host.whenExited(runId);
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

  // Runs kept from before count as done at once, so the bar and the time left start from where the series is.
  const onRun = (entry: SeriesPlanEntry, index: number, _total: number, step: RunStep) => {
    if (step !== 'skip-finished' && step !== 'skip-failed') return;
    if (step === 'skip-failed') failedKeys.add(entry.key);
    tracker.skipped(index);
    runsDone++;
    report();
  };

  active.done = trainSeriesFolder(args.seriesDir, { train: trainOne }, { signal: stop.signal, onRun }).then(
    (outcome) => {
      const failed = [...new Set([...outcome.failed, ...failedKeys])];
      report(outcome.status === 'running' ? 'stopped' : outcome.status, failed.length ? `failed runs: ${failed.join(', ')}` : undefined);
    },
    (e: unknown) => {
      current = undefined;
      report('failed', e instanceof Error ? e.message : String(e));
    },
  );
  return active;
}
