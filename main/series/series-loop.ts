/**
 * The one loop that trains a series folder's plan, one run at a time, whoever does the training: the CLI
 * trains in its own process (run-series.ts), the app hands each run to its training host (main/service).
 * Safe to call again on the same folder after any interruption: finished runs are never retrained, an
 * interrupted or stopped run is resumed from its last checkpoint, and the rest start fresh. A stop (the
 * signal) ends the series after the current run, which the trainer stops at a batch boundary.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { FolderLockedError, withFolderLock } from '../platform/folder-lock.js';
import { RUN_FILES } from '../runs/run-folder.js';
import { openRun } from '../runs/run-store.js';
import {
  readSeriesRecord,
  runDirOf,
  SeriesError,
  writeSeriesRecord,
  type SeriesPlanEntry,
  type SeriesRecord,
  type SeriesStatus,
} from './series-folder.js';

export type RunStep = 'start' | 'resume' | 'skip-finished' | 'skip-failed';

/** How one run of the plan ended: `stopped` ends the series (kept, resumable); anything else goes on. */
export interface TrainedRun {
  status: 'finished' | 'stopped' | 'failed';
  warnings: string[];
}

/** One run of the plan to train: `runDir` is its folder, `seriesDir` the series folder (recorded in run.json). */
export interface RunToTrain {
  entry: SeriesPlanEntry;
  index: number;
  runDir: string;
  step: 'start' | 'resume';
  record: SeriesRecord;
  seriesDir: string;
}

export interface SeriesTrainer {
  train(run: RunToTrain): Promise<TrainedRun>;
}

export interface SeriesLoopOptions {
  signal?: AbortSignal;
  /** Before each run of the plan, with what will happen to it. */
  onRun?: (entry: SeriesPlanEntry, index: number, total: number, step: RunStep) => void;
}

export interface SeriesOutcome {
  dir: string;
  status: SeriesStatus;
  trained: number;
  skipped: number;
  failed: string[];
  warnings: string[];
}

/** What the next pass over the plan does with a run, from its folder on disk. */
export async function stepFor(runDir: string): Promise<RunStep> {
  if (!existsSync(path.join(runDir, RUN_FILES.info))) return 'start';
  const opened = await openRun(runDir);
  switch (opened.state) {
    case 'finished':
      // A run killed during its final save lacks model/; resuming writes it from the last checkpoint.
      return opened.hasModel ? 'skip-finished' : 'resume';
    case 'interrupted':
    case 'stopped':
      return 'resume';
    case 'running':
      throw new SeriesError(`${runDir} is being trained by another process (pid ${opened.info?.process?.pid}); stop it first`);
    default:
      // Failed runs (diverged, bad settings) would fail the same way again: they stay in the report as failed.
      return 'skip-failed';
  }
}

export async function trainSeriesFolder(
  seriesDir: string,
  trainer: SeriesTrainer,
  options: SeriesLoopOptions = {},
): Promise<SeriesOutcome> {
  const dir = path.resolve(seriesDir);
  // One trainer per series: a second `series resume` would race the first for the same plan.
  try {
    return await withFolderLock(dir, 'train series', () => trainLocked(dir, trainer, options));
  } catch (e) {
    if (e instanceof FolderLockedError) throw new SeriesError(`cannot train the series ${dir}: ${e.message}`);
    throw e;
  }
}

async function trainLocked(dir: string, trainer: SeriesTrainer, options: SeriesLoopOptions): Promise<SeriesOutcome> {
  const record = await readSeriesRecord(dir);
  await writeSeriesRecord(dir, { ...record, status: 'running' });
  const outcome: SeriesOutcome = { dir, status: 'finished', trained: 0, skipped: 0, failed: [], warnings: [] };
  try {
    for (const [index, entry] of record.plan.entries()) {
      if (options.signal?.aborted) {
        outcome.status = 'stopped';
        break;
      }
      const runDir = runDirOf(dir, entry);
      const step = await stepFor(runDir);
      options.onRun?.(entry, index, record.plan.length, step);
      if (step === 'skip-finished' || step === 'skip-failed') {
        outcome.skipped++;
        if (step === 'skip-failed') outcome.failed.push(entry.key);
        continue;
      }
      const run = await trainer.train({ entry, index, runDir, step, record, seriesDir: dir });
      outcome.trained++;
      outcome.warnings.push(...run.warnings);
      if (run.status === 'failed') outcome.failed.push(entry.key);
      if (run.status === 'stopped') {
        outcome.status = 'stopped';
        break;
      }
    }
  } catch (e) {
    // The series.json must not claim `running` after its trainer is gone: it is resumable from where it stopped.
    await writeSeriesRecord(dir, { ...record, status: 'stopped' }).catch(() => undefined);
    throw e;
  }
  const ended = { ...record, status: outcome.status, ...(outcome.status === 'finished' ? { finishedAt: new Date().toISOString() } : {}) };
  await writeSeriesRecord(dir, ended);
  return outcome;
}
