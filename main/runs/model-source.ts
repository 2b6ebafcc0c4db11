/**
 * What `evaluate` and `predict` take: any model folder. A run folder (run.json) names its dataset, class
 * names and image decoding; a run's `model/` is taken as its run; any other model folder (an import, a
 * checkpoint, a copied model) names no dataset, so the caller gives one (`--dataset REF`) where it is needed,
 * and its class names come from its classes.json when Layerbench wrote one.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { validateExperiment } from '../../common/schema.js';
import type { ExperimentSpec } from '../../common/spec.js';
import { EXPERIMENT_JSON, MODEL_JSON } from '../../common/model-files.js';
import type { ResizeMode } from '../data/image-decode.js';
import { CheckpointStore } from '../engine/checkpoint.js';
import { describeModel } from '../engine/graph/forward.js';
import { loadModelFromDir } from '../engine/save.js';
import type { EngineBackend, LayersModel } from '../engine/tf-types.js';
import { RUN_FILES, type RunInfo } from './run-folder.js';
import { openRun } from './run-store.js';
import { RunError } from './run-error.js';

export type ModelChoice = 'final' | 'best' | 'last';

export interface LoadedModel {
  model: LayersModel;
  /** Which of a run's models; a bare model folder's is its `final`. */
  source: ModelChoice;
  /** The folder the weights were read from. */
  dir: string;
  /** The run, when the folder is one or is a run's `model/`. */
  run?: { dir: string; info: RunInfo };
  /** The model's input (height, width, channels) and number of outputs. */
  inputShape: [number, number, number];
  outputs: number;
  /** A run's dataset classes, or the folder's classes.json. */
  classNames?: string[];
  resize?: ResizeMode;
  /** The folder's experiment.json, when Layerbench wrote it. */
  experiment?: ExperimentSpec;
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

async function optionalJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RunError('UNREADABLE', `cannot read ${file}: ${(e as Error).message}`);
  }
}

function shapeOf(model: LayersModel): { inputShape: [number, number, number]; outputs: number } {
  const input = model.inputs[0].shape.slice(1);
  const output = model.outputs[0].shape;
  return { inputShape: input as [number, number, number], outputs: output[output.length - 1] ?? 0 };
}

/** Loads the run's model: the one asked for, or the final model, else the best checkpoint, else the last. */
async function loadFromRun(backend: EngineBackend, runDir: string, choice?: ModelChoice): Promise<LoadedModel> {
  const opened = await openRun(runDir);
  if (!opened.info) throw new RunError('UNREADABLE', `cannot read ${runDir}: ${opened.problems.map((p) => p.message).join('; ')}`);
  const info = opened.info;
  const store = new CheckpointStore(path.join(opened.dir, RUN_FILES.checkpoints));
  const dirs: Record<ModelChoice, string> = { final: path.join(opened.dir, RUN_FILES.model), best: store.dirOf('best'), last: store.dirOf('last') };
  const order: ModelChoice[] = choice ? [choice] : ['final', 'best', 'last'];
  const tried: string[] = [];
  for (const source of order) {
    try {
      const model = await loadModelFromDir(backend.tf, dirs[source]);
      // The run's spec lets inference run as one TensorFlow graph (a model that does not match it predicts eagerly).
      describeModel(model, info.experiment.model, info.dataset.classNames.length);
      return {
        model,
        source,
        dir: dirs[source],
        run: { dir: opened.dir, info },
        ...shapeOf(model),
        classNames: info.dataset.classNames,
        ...(info.dataset.resize ? { resize: info.dataset.resize } : {}),
        experiment: info.experiment,
      };
    } catch (e) {
      tried.push(`${source} (${dirs[source]}): ${(e as Error).message}`);
    }
  }
  throw new RunError('NO_MODEL', `no saved model in ${opened.dir}:\n  ${tried.join('\n  ')}`);
}

async function loadFromFolder(backend: EngineBackend, dir: string, choice?: ModelChoice): Promise<LoadedModel> {
  if (choice && choice !== 'final') {
    throw new RunError('NO_MODEL', `${dir} is a model folder, not a run: it has no ${choice} checkpoint (leave out --model)`);
  }
  const rawExperiment = await optionalJson(path.join(dir, EXPERIMENT_JSON));
  const checked = rawExperiment === undefined ? undefined : validateExperiment(rawExperiment);
  const classes = await optionalJson(path.join(dir, 'classes.json'));
  let model: LayersModel;
  try {
    model = await loadModelFromDir(backend.tf, dir);
  } catch (e) {
    throw new RunError('NO_MODEL', `cannot load the model in ${dir}: ${(e as Error).message}`);
  }
  const shapes = shapeOf(model);
  if (checked?.ok) describeModel(model, checked.value.model, shapes.outputs);
  const classNames = Array.isArray(classes) && classes.length === shapes.outputs ? classes.map(String) : undefined;
  return { model, source: 'final', dir, ...shapes, ...(classNames ? { classNames } : {}), ...(checked?.ok ? { experiment: checked.value } : {}) };
}

/**
 * Loads the model in `dir`: a run folder, a run's `model/`, or any model folder (model.json). `choice` picks
 * among a run's models. Throws RunError (NOT_FOUND, NO_MODEL, UNREADABLE) naming the folder.
 */
export async function loadModelSource(backend: EngineBackend, dir: string, choice?: ModelChoice): Promise<LoadedModel> {
  const resolved = path.resolve(dir);
  if (await exists(path.join(resolved, RUN_FILES.info))) return loadFromRun(backend, resolved, choice);
  if (!(await exists(path.join(resolved, MODEL_JSON)))) {
    throw new RunError('NOT_FOUND', `${resolved} is neither a run folder (with ${RUN_FILES.info}) nor a model folder (with ${MODEL_JSON})`);
  }
  const parent = path.dirname(resolved);
  if (path.basename(resolved) === RUN_FILES.model && (await exists(path.join(parent, RUN_FILES.info)))) {
    return loadFromRun(backend, parent, choice ?? 'final');
  }
  return loadFromFolder(backend, resolved, choice);
}
