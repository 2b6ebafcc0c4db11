/**
 * Resuming a run (Keras's BackupAndRestore, done from the run folder): the `last` checkpoint's weights,
 * optimizer state, history and best-so-far value are put back and training continues with the next epoch.
 * Shuffle order and dropout masks are drawn per (seed, epoch), so the resumed run trains exactly as the
 * uninterrupted one would have, within float rounding.
 */
import path from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { loadDataset as loadRegisteredDataset } from '../data/registry.js';
import { CheckpointError } from '../engine/checkpoint.js';
import type { ResumeFrom } from '../engine/epoch-keeper.js';
import { datasetHash } from './dataset-identity.js';
import { RunFolder } from './run-folder.js';
import { openRun } from './run-store.js';
import { withRunLock } from './run-lock.js';
import { RunError, trainInFolder, type RunContext, type RunOutcome } from './run-training.js';

export interface ResumeArgs {
  dir: string;
  /** How to load the run's dataset by its id (default: the dataset registry, as the CLI does). */
  loadDataset?: (id: string) => Promise<Dataset>;
}

export async function resumeRun(ctx: RunContext, args: ResumeArgs): Promise<RunOutcome> {
  const dir = path.resolve(args.dir);
  await openRun(dir); // a folder that is no run is NOT_FOUND before any lock file is written into it
  return withRunLock(dir, 'resume', () => resumeLockedRun(ctx, dir, args));
}

async function resumeLockedRun(ctx: RunContext, dir: string, args: ResumeArgs): Promise<RunOutcome> {
  const opened = await openRun(dir);
  const info = opened.info;
  if (!info) throw new RunError('UNREADABLE', `cannot resume ${dir}: ${opened.problems.map((p) => p.message).join('; ')}`);
  if (opened.state === 'running') {
    throw new RunError('BUSY', `${dir} is still being trained by process ${info.process?.pid} on ${info.process?.host}`);
  }
  const planned = info.experiment.training.epochs;
  // A finished run whose final model could not be written (disk full) may still "resume": no epochs are
  // left, so this writes model/ from the last checkpoint.
  if (opened.state === 'finished' && opened.hasModel) {
    throw new RunError('FINISHED', `${dir} has finished (${opened.epochsDone} of ${planned} epochs${info.stoppedEarly ? ', stopped early' : ''}); there is nothing to resume`);
  }

  const dataset = await (args.loadDataset ?? loadRegisteredDataset)(info.dataset.id);
  const hash = datasetHash(dataset);
  if (info.dataset.contentHash && info.dataset.contentHash !== hash) {
    throw new RunError(
      'DATASET_CHANGED',
      `the dataset "${info.dataset.id}" is not the one this run trained on (its contents changed since); resuming would train on different data`,
    );
  }

  const folder = new RunFolder(dir, ctx.fs, ctx.appendLine);
  const store = folder.checkpoints;
  const { tf } = ctx.backend;
  let resume: ResumeFrom | undefined;
  const notes: string[] = [];
  try {
    const restored = await store.restore(tf);
    if (restored) {
      resume = restored;
      const bestEpoch = restored.state.best.bestEpoch;
      if (info.experiment.training.earlyStopping?.restoreBestWeights && bestEpoch !== undefined) {
        const best = await store.readState('best');
        if (best?.epoch === bestEpoch) resume.bestWeights = await store.loadWeights(tf, 'best');
        else notes.push(`the best epoch's weights (epoch ${bestEpoch}) are not in ${store.dirOf('best')}; early stopping will keep the last weights`);
      }
    }
  } catch (e) {
    if (e instanceof CheckpointError) throw new RunError('CHECKPOINT_DAMAGED', e.message);
    throw e;
  }
  const fromEpoch = resume?.state.epoch ?? 0;
  if (!resume) notes.push('no epoch had been checkpointed; training starts again from epoch 1');
  const at = new Date().toISOString();
  await folder.appendResumeMarker(fromEpoch);
  for (const note of notes) ctx.onEvent?.({ type: 'log', level: 'info', message: note });
  for (const note of [`Resuming ${dir} after epoch ${fromEpoch} of ${planned}`, ...notes]) await folder.appendLog(note).catch(() => {});
  const previousMs = (resume?.state.history ?? []).reduce((sum, r) => sum + r.durationMs, 0);
  const resumedInfo = { ...info, resumes: [...(info.resumes ?? []), { at, fromEpoch }] };
  return trainInFolder(ctx, folder, resumedInfo, dataset, resume, previousMs);
}
