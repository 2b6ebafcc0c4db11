/**
 * Training into a run folder, the one path the CLI (`train`, `resume`) and the desktop shell's training
 * process share: the run record before and after, the epoch log line by line, checkpoints after every epoch,
 * the text log, and the final model. Nothing already on disk is lost when any of it fails.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import type { ExperimentSpec } from '../../common/spec.js';
import type { EpochRecord, RunStatus, TrainingEvent } from '../../common/training-events.js';
import type { Dataset } from '../data/dataset.js';
import { stratifiedSplit } from '../data/split.js';
import { describeFileError, type FileOps } from '../platform/replace-file.js';
import type { BestState } from '../engine/early-stopping.js';
import type { EarlyStop, ResumeFrom } from '../engine/epoch-keeper.js';
import { weightsFromFolder } from '../engine/initial-weights.js';
import { saveModelAtomic } from '../engine/save.js';
import type { EngineBackend } from '../engine/tf-types.js';
import { train } from '../engine/train.js';
import { kerasPrinter } from '../../common/keras-printer.js';
import { appVersion } from '../platform/app-version.js';
import { datasetHash } from './dataset-identity.js';
import { evaluateLockedRun, type RunEvaluation } from './evaluate-run.js';
import { RunError } from './run-error.js';
import { withRunLock } from './run-lock.js';
import { activeRunDirs, RUN_FILES, RunFolder, type AppendLine, type RunInfo } from './run-folder.js';
import { EXPERIMENT_JSON } from '../../common/model-files.js';
import type { RunFailureRecord } from '../../common/run-failures.js';

export interface RunContext {
  backend: EngineBackend;
  onEvent?: (event: TrainingEvent) => void;
  /** Aborting stops at the next batch boundary; the partial history and the model are kept. */
  signal?: AbortSignal;
  batchEventIntervalMs?: number;
  /** For fault tests: the file operations behind run.json, checkpoints and the model, and the log appends. */
  fs?: FileOps;
  appendLine?: AppendLine;
  /** Evaluate the saved model on held-out images when training ends (report in the run's evaluation/). */
  evaluateAfter?: boolean;
}

export interface RunOutcome {
  dir: string;
  status: RunStatus;
  history: EpochRecord[];
  error?: RunFailureRecord;
  best?: BestState;
  stoppedEarly?: EarlyStop;
  /** The final model was written to model/. */
  modelSaved: boolean;
  /** Why model/ was not written (NaN weights, a write error), in words. */
  modelNote?: string;
  /** Lines that could not be added to log.txt or run.json (disk full ...): the run itself is on disk. */
  warnings: string[];
  /** Why run.json could not record how the run ended (also in `warnings`): the run then lists as interrupted. */
  recordError?: string;
  /** With `evaluateAfter`, the report on the saved model. */
  evaluation?: RunEvaluation;
}

export { RunError } from './run-error.js';

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') return 'the disk is full';
  if (code === 'EIO') return 'an input/output error from the disk';
  return (e as Error).message;
}

/** Writes log.txt lines in order without letting a failing disk stop training; the first failure is kept. */
function textLog(folder: RunFolder, warnings: string[]) {
  let chain = Promise.resolve();
  let failed = false;
  const line = (text: string) => {
    chain = chain.then(() =>
      folder.appendLog(text).catch((e: unknown) => {
        if (!failed) warnings.push(`could not write ${folder.file('log')}: ${reason(e)}`);
        failed = true;
      }),
    );
  };
  return { line, flush: () => chain };
}

export async function trainInFolder(
  ctx: RunContext,
  folder: RunFolder,
  info: RunInfo,
  dataset: Dataset,
  resume?: ResumeFrom,
  previousMs = 0,
): Promise<RunOutcome> {
  const { tf } = ctx.backend;
  const experiment = info.experiment;
  const warnings: string[] = [];
  const log = textLog(folder, warnings);
  const print = kerasPrinter({ line: log.line, status: () => {} });
  const running: RunInfo = { ...info, status: 'running', process: { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() } };
  delete running.error;
  try {
    await folder.writeInfo(running);
  } catch (e) {
    throw new RunError((e as NodeJS.ErrnoException).code ?? 'IO_ERROR', `cannot update ${folder.file('info')}: ${reason(e)}; nothing was trained`);
  }
  activeRunDirs.add(folder.dir);
  const result = await train({
    backend: ctx.backend,
    experiment,
    dataset,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(ctx.batchEventIntervalMs !== undefined ? { batchEventIntervalMs: ctx.batchEventIntervalMs } : {}),
    onEvent: (event) => {
      print(event);
      ctx.onEvent?.(event);
    },
    afterEpoch: async (_model, record) => {
      try {
        await folder.appendEpoch(record);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? 'EPOCH_LOG_FAILED';
        throw Object.assign(new Error(`could not record epoch ${record.epoch} in ${folder.file('epochs')}: ${reason(e)}`), { code });
      }
    },
    checkpoints: folder.checkpoints,
    ...(resume ? { resume } : {}),
    // Also on a resume that found no checkpoint: epoch 1 starts again from the same initial weights.
    ...(info.initializedFrom && !resume ? { initialWeights: weightsFromFolder(tf, info.initializedFrom.dir) } : {}),
  });
  let modelSaved = false;
  let modelNote: string | undefined;
  // A diverged model's weights are useless (NaN, or saturated beyond recovery): keep the last good checkpoint.
  const nan = result.status === 'failed' && (result.error?.code === 'NAN_LOSS' || result.error?.code === 'LOSS_DIVERGED');
  try {
    const lastGood = result.history.length > 0 ? `the last good checkpoint (epoch ${result.history[result.history.length - 1].epoch}) is kept in ${folder.checkpoints.dirOf('last')}` : 'no epoch was completed';
    if (nan) modelNote = `the model was not saved: training diverged and its weights are useless; ${lastGood}`;
    else if (!result.model) modelNote = 'there is no model to save';
    // Stopped or failed before the first epoch ended: the weights are the untrained ones, not a model to keep.
    else if (result.history.length === 0) modelNote = 'no epoch was completed, so there is no trained model to save';
    else {
      await saveModelAtomic(tf, result.model, folder.modelDir, {
        [EXPERIMENT_JSON]: JSON.stringify(experiment, null, 2),
        'history.json': JSON.stringify(result.history, null, 2),
        'classes.json': JSON.stringify(dataset.classNames),
      }, folder.fs);
      modelSaved = true;
      log.line(`Saved model to ${folder.modelDir}`);
    }
  } catch (e) {
    modelNote = (e as Error).message;
  } finally {
    result.dispose();
  }
  if (modelNote) log.line(`Note: ${modelNote}`);
  const finished: RunInfo = {
    ...running,
    dataset: { ...running.dataset, split: result.split },
    status: result.status,
    finishedAt: new Date().toISOString(),
    durationMs: previousMs + result.durationMs,
    ...(result.best ? { best: result.best } : {}),
    ...(result.stoppedEarly ? { stoppedEarly: result.stoppedEarly } : {}),
    ...(result.error ? { error: result.error } : {}),
  };
  delete finished.process;
  let recordError: string | undefined;
  try {
    await folder.writeInfo(finished);
  } catch (e) {
    // run.json still says `running`, so the run lists as interrupted: resumable, with every epoch in the log.
    recordError = `could not update ${folder.file('info')}: ${describeFileError(e)}`;
    warnings.push(recordError);
  }
  activeRunDirs.delete(folder.dir);
  let evaluation: RunEvaluation | undefined;
  if (ctx.evaluateAfter && modelSaved) {
    try {
      evaluation = await evaluateLockedRun(ctx.backend, { dir: folder.dir, model: 'final', loadDataset: async () => dataset });
      log.line(`Evaluated on ${evaluation.setDescription}: loss ${evaluation.loss.toFixed(4)} - accuracy ${evaluation.accuracy.toFixed(4)}`);
    } catch (e) {
      warnings.push(`could not evaluate the model: ${(e as Error).message}`);
    }
  }
  log.line(recordError ? `Run ${result.status} but not recorded: ${recordError}` : `Run ${result.status}: ${folder.dir}`);
  await log.flush();
  return {
    dir: folder.dir,
    status: result.status,
    history: result.history,
    ...(result.error ? { error: result.error } : {}),
    ...(result.best ? { best: result.best } : {}),
    ...(result.stoppedEarly ? { stoppedEarly: result.stoppedEarly } : {}),
    modelSaved,
    ...(modelNote ? { modelNote } : {}),
    warnings,
    ...(recordError ? { recordError } : {}),
    ...(evaluation ? { evaluation } : {}),
  };
}

export interface StartRunArgs {
  dir: string;
  experiment: ExperimentSpec;
  dataset: Dataset;
  preset?: string;
  name?: string;
  /** Start from the weights in this model folder (recorded in run.json as `initializedFrom`). */
  initialWeights?: { dir: string; importId?: string; source?: string };
  /** The run is part of an experiment series (recorded in run.json as `series`). */
  series?: RunInfo['series'];
}

/** Creates the run folder and trains into it. */
export async function startRun(ctx: RunContext, args: StartRunArgs): Promise<RunOutcome> {
  const dir = path.resolve(args.dir);
  const folder = new RunFolder(dir, ctx.fs, ctx.appendLine);
  const { dataset, experiment } = args;
  const b = ctx.backend;
  const split = stratifiedSplit(dataset.train, experiment.training.validationSplit, experiment.training.seed).record;
  const info: RunInfo = {
    version: 1,
    name: args.name ?? path.basename(dir),
    createdAt: new Date().toISOString(),
    experiment,
    ...(args.preset ? { preset: args.preset } : {}),
    ...(args.series ? { series: args.series } : {}),
    ...(args.initialWeights ? { initializedFrom: { ...args.initialWeights, dir: path.resolve(args.initialWeights.dir) } } : {}),
    dataset: {
      id: dataset.id,
      name: dataset.name,
      source: dataset.source,
      inputShape: dataset.inputShape,
      classNames: dataset.classNames,
      ...(dataset.resize ? { resize: dataset.resize } : {}),
      split,
      contentHash: datasetHash(dataset),
      trainCount: dataset.train.count,
      testCount: dataset.test?.count ?? 0,
    },
    backend: { name: b.name, native: b.native, detail: b.detail, ...(b.warning ? { warning: b.warning } : {}) },
    versions: { layerbench: appVersion(), node: process.versions.node, tfjs: b.tf.version.tfjs },
    status: 'running',
  };
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw new RunError((e as NodeJS.ErrnoException).code ?? 'IO_ERROR', `cannot create the run folder ${dir}: ${reason(e)}`);
  }
  // Checked under the lock, so two processes started on one folder cannot both create a run in it.
  return withRunLock(dir, 'train', async () => {
    if (existsSync(path.join(dir, RUN_FILES.info))) {
      // Training again into a run's folder would mix two runs' epochs in one history.
      throw new RunError('RUN_EXISTS', `${dir} already holds a run; choose another folder, or continue it with: layerbench resume ${dir}`);
    }
    try {
      await folder.create(info);
    } catch (e) {
      throw new RunError((e as NodeJS.ErrnoException).code ?? 'IO_ERROR', `cannot create the run folder ${dir}: ${reason(e)}`);
    }
    return trainInFolder(ctx, folder, info, dataset);
  });
}
