/** `layerbench train`: trains an experiment headlessly and writes a run folder (log, history, model). */
import path from 'node:path';
import { summarize } from '../../common/summarize.js';
import type { ExperimentSpec } from '../../common/spec.js';
import { loadBackend } from '../backend/index.js';
import { DatasetError } from '../data/dataset.js';
import { loadDataset } from '../data/registry.js';
import { train } from '../engine/train.js';
import { saveModelAtomic, SaveError } from '../engine/save.js';
import { RunFolder, type RunInfo } from '../runs/run-folder.js';
import { appVersion } from './version.js';
import { CliError, EXIT } from './exit-codes.js';
import { loadExperiment } from './load-spec.js';
import { kerasPrinter, terminalSink } from './progress.js';

export interface TrainArgs {
  spec?: string;
  preset?: string;
  dataset: string;
  epochs?: number;
  batchSize?: number;
  seed?: number;
  learningRate?: number;
  out?: string;
}

function defaultRunDir(label: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return path.join('runs', `${stamp}-${path.basename(label).replace(/\.json$/, '').replace(/[^A-Za-z0-9_-]/g, '_')}`);
}

function applyOverrides(experiment: ExperimentSpec, args: TrainArgs): ExperimentSpec {
  const t = { ...experiment.training };
  if (args.epochs !== undefined) t.epochs = args.epochs;
  if (args.batchSize !== undefined) t.batchSize = args.batchSize;
  if (args.seed !== undefined) t.seed = args.seed;
  if (args.learningRate !== undefined) t.learningRate = args.learningRate;
  return { ...experiment, training: t };
}

export async function trainCommand(args: TrainArgs): Promise<number> {
  let dataset;
  try {
    dataset = await loadDataset(args.dataset);
  } catch (e) {
    if (e instanceof DatasetError) throw new CliError(`dataset error: ${e.message}`, EXIT.dataset);
    throw e;
  }
  const target = { inputShape: dataset.inputShape, numClasses: dataset.classNames.length };
  const loaded = await loadExperiment(args.spec, args.preset, target);
  const experiment = applyOverrides(loaded.experiment, args);
  const { validateTraining, formatIssues } = await import('../../common/schema.js');
  const checked = validateTraining(experiment.training);
  if (!checked.ok) throw new CliError(`invalid training settings:\n${formatIssues(checked.issues)}`, EXIT.usage);
  const summary = summarize(experiment.model, { numClasses: target.numClasses });
  if (!summary.ok) throw new CliError(`the model cannot be trained on ${dataset.id}:\n${summary.errors.map((e) => `  - ${e.message}`).join('\n')}`, EXIT.usage);

  const folder = new RunFolder(path.resolve(args.out ?? defaultRunDir(loaded.label)));
  const backend = await loadBackend();
  const info: RunInfo = {
    version: 1,
    name: path.basename(folder.dir),
    createdAt: new Date().toISOString(),
    experiment,
    ...(args.preset ? { preset: args.preset } : {}),
    dataset: { id: dataset.id, name: dataset.name, source: dataset.source, inputShape: dataset.inputShape, classNames: dataset.classNames },
    backend: { name: backend.name, native: backend.native, detail: backend.detail, ...(backend.warning ? { warning: backend.warning } : {}) },
    versions: { layerbench: appVersion(), node: process.versions.node, tfjs: backend.tf.version.tfjs },
    status: 'running',
  };
  try {
    await folder.create(info);
  } catch (e) {
    throw new CliError(`cannot create run folder ${folder.dir}: ${(e as Error).message}`, EXIT.io);
  }

  const pending: Promise<void>[] = [];
  const sink = terminalSink(process.stdout, (line) => pending.push(folder.appendLog(line)));
  const print = kerasPrinter(sink);
  const stop = new AbortController();
  const onSigint = () => {
    if (stop.signal.aborted) process.exit(EXIT.stopped);
    sink.line('Stopping at the end of this batch (Ctrl-C again to quit at once)...');
    stop.abort();
  };
  process.on('SIGINT', onSigint);
  const result = await train({
    backend,
    experiment,
    dataset,
    signal: stop.signal,
    onEvent: print,
    afterEpoch: async (_model, record) => folder.appendEpoch(record),
  });
  process.off('SIGINT', onSigint);
  await Promise.all(pending);

  let exit: number = result.status === 'finished' ? EXIT.ok : result.status === 'stopped' ? EXIT.stopped : EXIT.trainingFailed;
  try {
    if (result.model) {
      await saveModelAtomic(backend.tf, result.model, folder.modelDir, {
        'experiment.json': JSON.stringify(experiment, null, 2),
        'history.json': JSON.stringify(result.history, null, 2),
        'classes.json': JSON.stringify(dataset.classNames),
      });
      sink.line(`Saved model to ${folder.modelDir}`);
    }
  } catch (e) {
    sink.line(`Error: ${e instanceof SaveError ? e.message : (e as Error).message}`);
    exit = EXIT.io;
  } finally {
    result.dispose();
  }
  await folder.writeInfo({
    ...info,
    dataset: { ...info.dataset, split: result.split },
    status: result.status,
    finishedAt: new Date().toISOString(),
    durationMs: result.durationMs,
    ...(result.error ? { error: result.error } : {}),
  });
  sink.line(`Run ${result.status}: ${folder.dir}`);
  return exit;
}
