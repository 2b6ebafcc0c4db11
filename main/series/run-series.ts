/**
 * Trains a series folder's plan, one run at a time, in this process. Safe to call again on the same folder
 * after any interruption: finished runs are never retrained, an interrupted or stopped run is resumed from its
 * last checkpoint, and the rest start fresh. A stop (the signal) stops the current run at a batch boundary and
 * keeps everything done so far.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { FolderLockedError, withFolderLock } from '../platform/folder-lock.js';
import { resumeRun } from '../runs/resume-run.js';
import { RUN_FILES } from '../runs/run-folder.js';
import { openRun } from '../runs/run-store.js';
import { startRun, type RunContext, type RunOutcome } from '../runs/run-training.js';
import { readSeriesRecord, runDirOf, SeriesError, writeSeriesRecord, type SeriesPlanEntry, type SeriesStatus } from './series-folder.js';

export type RunStep = 'start' | 'resume' | 'skip-finished' | 'skip-failed';

export interface SeriesContext extends RunContext {
  loadDataset: (id: string) => Promise<Dataset>;
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

async function stepFor(runDir: string): Promise<RunStep> {
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

export async function runSeries(ctx: SeriesContext, seriesDir: string): Promise<SeriesOutcome> {
  const dir = path.resolve(seriesDir);
  // One process per series: a second `series resume` would race the first for the same plan.
  try {
    return await withFolderLock(dir, 'train series', () => runLockedSeries(ctx, dir));
  } catch (e) {
    if (e instanceof FolderLockedError) throw new SeriesError(`cannot train the series ${dir}: ${e.message}`);
    throw e;
  }
}

async function runLockedSeries(ctx: SeriesContext, dir: string): Promise<SeriesOutcome> {
  const record = await readSeriesRecord(dir);
  await writeSeriesRecord(dir, { ...record, status: 'running' });
  const dataset = await ctx.loadDataset(record.datasetId);
  const outcome: SeriesOutcome = { dir, status: 'finished', trained: 0, skipped: 0, failed: [], warnings: [] };
  for (const [index, entry] of record.plan.entries()) {
    if (ctx.signal?.aborted) {
      outcome.status = 'stopped';
      break;
    }
    const runDir = runDirOf(dir, entry);
    const step = await stepFor(runDir);
    ctx.onRun?.(entry, index, record.plan.length, step);
    if (step === 'skip-finished' || step === 'skip-failed') {
      outcome.skipped++;
      if (step === 'skip-failed') outcome.failed.push(entry.key);
      continue;
    }
    let run: RunOutcome;
    if (step === 'resume') {
      run = await resumeRun(ctx, { dir: runDir, loadDataset: async () => dataset });
    } else {
      run = await startRun(ctx, {
        dir: runDir,
        experiment: entry.experiment,
        dataset,
        name: `${record.name}: ${entry.group} (seed ${entry.seed})`,
        ...(entry.preset ? { preset: entry.preset } : {}),
        series: { dir, key: entry.key, group: entry.group },
      });
    }
    outcome.trained++;
    outcome.warnings.push(...run.warnings);
    if (run.status === 'failed') outcome.failed.push(entry.key);
    if (run.status === 'stopped') {
      outcome.status = 'stopped';
      break;
    }
  }
  const ended = { ...record, status: outcome.status, ...(outcome.status === 'finished' ? { finishedAt: new Date().toISOString() } : {}) };
  await writeSeriesRecord(dir, ended);
  return outcome;
}
