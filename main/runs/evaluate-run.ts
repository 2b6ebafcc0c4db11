/**
 * Evaluation and prediction for a run folder: picks the model (final, best or last checkpoint), the images
 * (the dataset's test set, else the run's own validation split, else, said plainly, the training images),
 * and writes the report with PNGs of the worst mistakes to the run's evaluation/ folder.
 */
import path from 'node:path';
import sharp from 'sharp';
import { allOf, type Dataset, type Subset } from '../data/dataset.js';
import { loadDataset as loadRegisteredDataset } from '../data/registry.js';
import { stratifiedSplit } from '../data/split.js';
import { CheckpointStore } from '../engine/checkpoint.js';
import { evaluateModel, type Evaluation } from '../engine/evaluate.js';
import { describeModel } from '../engine/graph/forward.js';
import { predictFiles, type Prediction } from '../engine/predict.js';
import { loadModelFromDir } from '../engine/save.js';
import type { EngineBackend, LayersModel } from '../engine/tf-types.js';
import { replaceFolder } from '../platform/replace-file.js';
import { datasetHash } from './dataset-identity.js';
import { RUN_FILES, type RunInfo } from './run-folder.js';
import { openRun } from './run-store.js';
import { RunError } from './run-error.js';
import { withRunLock } from './run-lock.js';

export type ModelChoice = 'final' | 'best' | 'last';

export interface RunModel {
  model: LayersModel;
  source: ModelChoice;
  dir: string;
  info: RunInfo;
}

/** Loads the run's model: the one asked for, or the final model, else the best checkpoint, else the last. */
export async function loadRunModel(backend: EngineBackend, runDir: string, choice?: ModelChoice): Promise<RunModel> {
  const opened = await openRun(runDir);
  if (!opened.info) throw new RunError('UNREADABLE', `cannot read ${runDir}: ${opened.problems.map((p) => p.message).join('; ')}`);
  const store = new CheckpointStore(path.join(opened.dir, RUN_FILES.checkpoints));
  const dirs: Record<ModelChoice, string> = { final: path.join(opened.dir, RUN_FILES.model), best: store.dirOf('best'), last: store.dirOf('last') };
  const order: ModelChoice[] = choice ? [choice] : ['final', 'best', 'last'];
  const tried: string[] = [];
  for (const source of order) {
    try {
      const model = await loadModelFromDir(backend.tf, dirs[source]);
      // The run's spec lets inference run as one TensorFlow graph (a model that does not match it predicts eagerly).
      describeModel(model, opened.info.experiment.model, opened.info.dataset.classNames.length);
      return { model, source, dir: dirs[source], info: opened.info };
    } catch (e) {
      tried.push(`${source} (${dirs[source]}): ${(e as Error).message}`);
    }
  }
  throw new RunError('NO_MODEL', `no saved model in ${opened.dir}:\n  ${tried.join('\n  ')}`);
}

export interface EvaluationSet {
  kind: 'test' | 'validation' | 'training';
  /** In words, for the report: which images and why. */
  description: string;
  subset: Subset;
}

export function evaluationSet(dataset: Dataset, info: RunInfo): EvaluationSet {
  if (dataset.test && dataset.test.count > 0) {
    return { kind: 'test', description: `the test set of ${dataset.name} (${dataset.test.count} images)`, subset: allOf(dataset.test) };
  }
  const t = info.experiment.training;
  const split = stratifiedSplit(dataset.train, t.validationSplit, t.seed);
  if (split.validation.indices.length > 0) {
    const n = split.validation.indices.length;
    return { kind: 'validation', description: `the run's validation split (${n} images; ${dataset.name} has no separate test set)`, subset: split.validation };
  }
  return {
    kind: 'training',
    description: `the training images (${dataset.train.count}): ${dataset.name} has no test set and the run held out no validation images, so these scores are optimistic`,
    subset: allOf(dataset.train),
  };
}

export interface RunEvaluation extends Evaluation {
  set: EvaluationSet['kind'];
  setDescription: string;
  model: ModelChoice;
  /** The folder the report and images were written to. */
  dir: string;
  /** PNG file names inside `dir`, one per misclassified example, in the same order. */
  images: string[];
  warnings: string[];
  evaluatedAt: string;
}

async function png(dataset: Dataset, set: EvaluationSet, index: number): Promise<Uint8Array> {
  const [height, width, channels] = dataset.inputShape;
  const size = height * width * channels;
  const pixels = set.subset.source.images.subarray(index * size, (index + 1) * size);
  const image = sharp(Buffer.from(pixels), { raw: { width, height, channels: channels as 1 | 2 | 3 | 4 } });
  // Kept greyscale when the data is: a 1-channel PNG is what the model saw.
  return (channels === 1 ? image.toColourspace('b-w') : image).png().toBuffer();
}

export interface EvaluateRunArgs {
  dir: string;
  model?: ModelChoice;
  /** How many misclassified examples to keep (default 16). */
  examples?: number;
  loadDataset?: (id: string) => Promise<Dataset>;
}

/** Evaluates a run's model and writes the report into the run folder, holding the run's lock. */
export async function evaluateRun(backend: EngineBackend, args: EvaluateRunArgs): Promise<RunEvaluation> {
  const dir = path.resolve(args.dir);
  await openRun(dir); // a folder that is no run is NOT_FOUND before any lock file is written into it
  return withRunLock(dir, 'evaluate', () => evaluateLockedRun(backend, { ...args, dir }));
}

/** evaluateRun for a caller that already holds the run's lock (training evaluating its own model). */
export async function evaluateLockedRun(backend: EngineBackend, args: EvaluateRunArgs): Promise<RunEvaluation> {
  const loaded = await loadRunModel(backend, args.dir, args.model);
  try {
    const info = loaded.info;
    const dataset = await (args.loadDataset ?? loadRegisteredDataset)(info.dataset.id);
    const warnings: string[] = [];
    if (info.dataset.contentHash && info.dataset.contentHash !== datasetHash(dataset)) {
      warnings.push(`the dataset "${info.dataset.id}" changed since the run trained on it; the held-out images may differ`);
    }
    const set = evaluationSet(dataset, info);
    const evaluation = await evaluateModel(backend.tf, loaded.model, set.subset, dataset.inputShape, dataset.classNames, { examples: args.examples ?? 16 });
    const images = evaluation.misclassified.map((m, i) => `misclassified/${String(i + 1).padStart(2, '0')}-image${m.index}-true-${m.trueLabel}-predicted-${m.predicted}.png`);
    const report: RunEvaluation = {
      ...evaluation,
      set: set.kind,
      setDescription: set.description,
      model: loaded.source,
      dir: path.join(path.resolve(args.dir), RUN_FILES.evaluation),
      images,
      warnings,
      evaluatedAt: new Date().toISOString(),
    };
    const files: Record<string, string | Uint8Array> = { 'evaluation.json': JSON.stringify(report, null, 2) };
    for (const [i, m] of evaluation.misclassified.entries()) files[images[i]] = await png(dataset, set, m.index);
    await replaceFolder(report.dir, files);
    return report;
  } finally {
    loaded.model.dispose();
  }
}

export interface PredictArgs {
  dir: string;
  files: string[];
  top?: number;
  model?: ModelChoice;
}

export async function predictWithRun(backend: EngineBackend, args: PredictArgs): Promise<{ model: ModelChoice; predictions: Prediction[] }> {
  const loaded = await loadRunModel(backend, args.dir, args.model);
  try {
    const shape = loaded.info.dataset.inputShape as [number, number, number];
    const { classNames, resize } = loaded.info.dataset;
    const predictions = await predictFiles(backend.tf, loaded.model, args.files, shape, classNames, args.top ?? 3, resize);
    return { model: loaded.source, predictions };
  } finally {
    loaded.model.dispose();
  }
}
