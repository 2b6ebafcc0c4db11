/** `layerbench train`: trains an experiment headlessly and writes a run folder (log, history, model). */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { summarize } from '../../common/summarize.js';
import { DEFAULT_EARLY_STOPPING, type ExperimentSpec } from '../../common/spec.js';
import { DatasetError } from '../data/dataset.js';
import { loadDataset } from '../data/registry.js';
import { MODEL_JSON } from '../../common/model-files.js';
import { progressBar } from './dataset-command.js';
import { CliError, EXIT } from './exit-codes.js';
import { loadExperiment } from './load-spec.js';
import { engineBackend, withTerminal } from './resume-command.js';
import { startRun } from '../runs/run-training.js';

export interface TrainArgs {
  spec?: string;
  preset?: string;
  dataset: string;
  epochs?: number;
  batchSize?: number;
  seed?: number;
  learningRate?: number;
  out?: string;
  /** Early stopping: epochs without improvement of the monitored metric before stopping. */
  earlyStoppingPatience?: number;
  earlyStoppingMinDelta?: number;
  /** Default true when early stopping is on. */
  restoreBestWeights?: boolean;
  /** The metric the best checkpoint and early stopping watch (val_loss, val_accuracy, loss, accuracy). */
  checkpointMetric?: string;
  validationSplit?: number;
  /** Start from the weights of this model folder (as `layerbench import --out DIR` writes) instead of fresh ones. */
  initWeights?: string;
}

function defaultRunDir(label: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return path.join(
    'runs',
    `${stamp}-${path
      .basename(label)
      .replace(/\.json$/, '')
      .replace(/[^A-Za-z0-9_-]/g, '_')}`,
  );
}

/** Checked before any run folder is made: a typo in the path is a usage error, not a failed run. */
async function initWeightsFolder(dir: string): Promise<{ dir: string }> {
  const resolved = path.resolve(dir);
  try {
    await access(path.join(resolved, MODEL_JSON));
  } catch {
    throw new CliError(
      `--init-weights ${dir}: no ${MODEL_JSON} there; give a model folder (from \`layerbench import --out DIR\`, or a run's model/)`,
      EXIT.usage,
    );
  }
  return { dir: resolved };
}

function applyOverrides(experiment: ExperimentSpec, args: TrainArgs): ExperimentSpec {
  const t = { ...experiment.training };
  if (args.epochs !== undefined) t.epochs = args.epochs;
  if (args.batchSize !== undefined) t.batchSize = args.batchSize;
  if (args.seed !== undefined) t.seed = args.seed;
  if (args.learningRate !== undefined) t.learningRate = args.learningRate;
  if (args.validationSplit !== undefined) t.validationSplit = args.validationSplit;
  if (args.checkpointMetric !== undefined) t.monitor = args.checkpointMetric as ExperimentSpec['training']['monitor'];
  if (args.earlyStoppingPatience !== undefined || args.earlyStoppingMinDelta !== undefined || args.restoreBestWeights !== undefined) {
    t.earlyStopping = {
      ...DEFAULT_EARLY_STOPPING,
      ...t.earlyStopping,
      ...(args.earlyStoppingPatience !== undefined ? { patience: args.earlyStoppingPatience } : {}),
      ...(args.earlyStoppingMinDelta !== undefined ? { minDelta: args.earlyStoppingMinDelta } : {}),
      ...(args.restoreBestWeights !== undefined ? { restoreBestWeights: args.restoreBestWeights } : {}),
    };
  }
  return { ...experiment, training: t };
}

export async function trainCommand(args: TrainArgs): Promise<number> {
  let dataset;
  const bar = progressBar();
  try {
    dataset = await loadDataset(args.dataset, {
      onProgress: (done, total, phase) => bar.update(done, total ?? 0, `${phase} ${done}${total === null ? '' : `/${total}`}`),
    });
  } catch (e) {
    if (e instanceof DatasetError) throw new CliError(`dataset error: ${e.message}`, EXIT.dataset);
    throw e;
  } finally {
    bar.end();
  }
  for (const warning of dataset.report?.warnings ?? []) process.stdout.write(`Warning: ${warning}\n`);
  if (dataset.report?.skippedCount) {
    process.stdout.write(
      `Skipped ${dataset.report.skippedCount} files (run "layerbench dataset inspect ${args.dataset}" for the list and reasons)\n`,
    );
  }
  const target = { inputShape: dataset.inputShape, numClasses: dataset.classNames.length };
  const loaded = await loadExperiment(args.spec, args.preset, target);
  const experiment = applyOverrides(loaded.experiment, args);
  const { validateTraining, formatIssues } = await import('../../common/schema.js');
  const checked = validateTraining(experiment.training);
  if (!checked.ok) throw new CliError(`invalid training settings:\n${formatIssues(checked.issues)}`, EXIT.usage);
  const summary = summarize(experiment.model, { numClasses: target.numClasses });
  if (!summary.ok)
    throw new CliError(
      `the model cannot be trained on ${dataset.id}:\n${summary.errors.map((e) => `  - ${e.message}`).join('\n')}`,
      EXIT.usage,
    );

  const initialWeights = args.initWeights ? await initWeightsFolder(args.initWeights) : undefined;
  const backend = await engineBackend();
  const dir = path.resolve(args.out ?? defaultRunDir(loaded.label));
  const validated = { ...experiment, training: checked.value };
  return withTerminal(backend, (ctx) =>
    startRun(ctx, {
      dir,
      experiment: validated,
      dataset,
      ...(args.preset ? { preset: args.preset } : {}),
      ...(initialWeights ? { initialWeights } : {}),
    }),
  );
}
