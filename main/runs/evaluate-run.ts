/**
 * Evaluation and prediction for a run folder or any model folder (see model-source.ts): picks the model
 * (final, best or last checkpoint), the images (the dataset's test set, else the run's own validation split,
 * else, said plainly, the training images), and writes the report with PNGs of the worst mistakes to the
 * run's (or the model folder's) evaluation/ folder.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { allOf, type Dataset, type Subset } from '../data/dataset.js';
import { loadDataset as loadRegisteredDataset } from '../data/registry.js';
import { stratifiedSplit } from '../data/split.js';
import { evaluateModel, type Evaluation } from '../engine/evaluate.js';
import { predictFiles, type ImagePrediction } from '../engine/predict.js';
import type { EngineBackend } from '../engine/tf-types.js';
import type { TrainingSettings } from '../../common/spec.js';
import { replaceFolder } from '../platform/replace-file.js';
import { datasetHash } from './dataset-identity.js';
import { loadModelSource, type LoadedModel, type ModelChoice } from './model-source.js';
import { RUN_FILES } from './run-folder.js';
import { RunError } from './run-error.js';
import { withRunLock } from './run-lock.js';

export type { ModelChoice } from './model-source.js';

export interface EvaluationSet {
  kind: 'test' | 'validation' | 'training';
  /** In words, for the report: which images and why. */
  description: string;
  subset: Subset;
}

const count = (n: number) => `${n} images`;

/** The held-out images: the test set, else the run's validation split (`training`: the run's settings), else all. */
export function evaluationSet(dataset: Dataset, training?: TrainingSettings): EvaluationSet {
  if (dataset.test && dataset.test.count > 0) {
    return { kind: 'test', description: `the test set of ${dataset.id} (${count(dataset.test.count)})`, subset: allOf(dataset.test) };
  }
  const split = training ? stratifiedSplit(dataset.train, training.validationSplit, training.seed) : undefined;
  if (split && split.validation.indices.length > 0) {
    const n = split.validation.indices.length;
    return { kind: 'validation', description: `the run's validation split (${count(n)}; ${dataset.id} has no separate test set)`, subset: split.validation };
  }
  const why = training ? 'the run held out no validation images' : 'the model may have trained on them';
  return {
    kind: 'training',
    description: `the training images of ${dataset.id} (${count(dataset.train.count)}): it has no test set and ${why}, so these scores are optimistic`,
    subset: allOf(dataset.train),
  };
}

/** The dataset to evaluate on: `ref`, else the run's; checked to fit the model's input and outputs. */
async function datasetFor(loaded: LoadedModel, ref: string | undefined, load: (id: string) => Promise<Dataset>): Promise<Dataset> {
  const id = ref ?? loaded.run?.info.dataset.id;
  if (!id) throw new RunError('NO_DATASET', `${loaded.dir} is not a run, so it names no dataset: give one with --dataset REF`);
  const dataset = await load(id);
  const want = loaded.inputShape.join('x');
  if (dataset.inputShape.join('x') !== want) {
    throw new RunError('DATASET_MISMATCH', `${id} has ${dataset.inputShape.join('x')} images; the model in ${loaded.dir} takes ${want}`);
  }
  if (dataset.classNames.length !== loaded.outputs) {
    throw new RunError('DATASET_MISMATCH', `${id} has ${dataset.classNames.length} classes; the model in ${loaded.dir} has ${loaded.outputs} outputs`);
  }
  return dataset;
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
  /** A run folder, a run's `model/`, or any model folder (see model-source.ts). */
  dir: string;
  /** The dataset reference; needed where the folder is not a run (a run's own dataset otherwise). */
  dataset?: string;
  model?: ModelChoice;
  /** How many misclassified examples to keep (default 16). */
  examples?: number;
  loadDataset?: (id: string) => Promise<Dataset>;
}

/**
 * Evaluates a model folder's model and writes the report beside it; a run (or a run's model/) is evaluated
 * holding the run's lock, so it never runs beside training or another evaluation of that run.
 */
export async function evaluateRun(backend: EngineBackend, args: EvaluateRunArgs): Promise<RunEvaluation> {
  const dir = path.resolve(args.dir);
  const runDir = (await isRunFolder(dir)) ? dir : path.basename(dir) === RUN_FILES.model && (await isRunFolder(path.dirname(dir))) ? path.dirname(dir) : null;
  if (!runDir) return evaluateLockedRun(backend, { ...args, dir });
  return withRunLock(runDir, 'evaluate', () => evaluateLockedRun(backend, { ...args, dir }));
}

const isRunFolder = (dir: string) =>
  stat(path.join(dir, RUN_FILES.info)).then(
    (s) => s.isFile(),
    () => false,
  );

/** evaluateRun for a caller that already holds the run's lock (training evaluating its own model). */
export async function evaluateLockedRun(backend: EngineBackend, args: EvaluateRunArgs): Promise<RunEvaluation> {
  const loaded = await loadModelSource(backend, args.dir, args.model);
  try {
    const info = loaded.run?.info;
    const dataset = await datasetFor(loaded, args.dataset, args.loadDataset ?? loadRegisteredDataset);
    const warnings: string[] = [];
    if (info?.dataset.contentHash && dataset.id === info.dataset.id && info.dataset.contentHash !== datasetHash(dataset)) {
      warnings.push(`the dataset "${info.dataset.id}" changed since the run trained on it; the held-out images may differ`);
    }
    if (loaded.classNames && loaded.classNames.join('\n') !== dataset.classNames.join('\n')) {
      warnings.push(`the model was trained on classes ${loaded.classNames.join(', ')}; ${dataset.id} has ${dataset.classNames.join(', ')}`);
    }
    // The run's validation split only for its own dataset: for another, no image was held out by the run.
    const set = evaluationSet(dataset, info && dataset.id === info.dataset.id ? info.experiment.training : undefined);
    const evaluation = await evaluateModel(backend.tf, loaded.model, set.subset, dataset.inputShape, dataset.classNames, { examples: args.examples ?? 16 });
    const images = evaluation.misclassified.map((m, i) => `misclassified/${String(i + 1).padStart(2, '0')}-image${m.index}-true-${m.trueLabel}-predicted-${m.predicted}.png`);
    const report: RunEvaluation = {
      ...evaluation,
      set: set.kind,
      setDescription: set.description,
      model: loaded.source,
      // A run keeps its report with it; any other model folder gets one beside its weights.
      dir: path.join(loaded.run?.dir ?? loaded.dir, RUN_FILES.evaluation),
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
  /** A run folder, a run's `model/`, or any model folder (see model-source.ts). */
  dir: string;
  /** For a folder that is not a run and has no classes.json: the dataset whose class names to print. */
  dataset?: string;
  loadDataset?: (id: string) => Promise<Dataset>;
  files: string[];
  top?: number;
  model?: ModelChoice;
}

export async function predictWithRun(backend: EngineBackend, args: PredictArgs): Promise<{ model: ModelChoice; predictions: ImagePrediction[] }> {
  const loaded = await loadModelSource(backend, args.dir, args.model);
  try {
    let classNames = loaded.classNames;
    if (args.dataset) classNames = (await datasetFor(loaded, args.dataset, args.loadDataset ?? loadRegisteredDataset)).classNames;
    // Without names (an import, say), the classes are their output indices.
    classNames ??= Array.from({ length: loaded.outputs }, (_, i) => String(i));
    const predictions = await predictFiles(backend.tf, loaded.model, args.files, loaded.inputShape, classNames, args.top ?? 3, loaded.resize);
    return { model: loaded.source, predictions };
  } finally {
    loaded.model.dispose();
  }
}
