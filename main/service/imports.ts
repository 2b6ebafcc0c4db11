/**
 * Imported models in the data folder: `imports/<importId>/` holds what main/export's importModel writes
 * (experiment.json, model.json, weights.bin) and import.json (where it came from). A run started with
 * `initialWeights: { importId }` trains from those weights; this module finds them and checks, without
 * TensorFlow, that the run's model can take them, so a mismatch is refused before any process starts.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { RUN_ID_PATTERN } from '../../common/contract.js';
import { validateExperiment } from '../../common/schema.js';
import type { ExperimentSpec, ModelSpec } from '../../common/spec.js';
import { summarize } from '../../common/summarize.js';
import { EXPERIMENT_JSON, IMPORT_INFO_JSON, MODEL_JSON } from '../../common/model-files.js';
import { newRunId } from './data-dir.js';

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** `YYYYMMDD-HHMMSS-<name>`, unused under `importsDir`; the same form as run ids. */
export async function newImportId(importsDir: string, name: string): Promise<string> {
  const base = newRunId(name);
  let id = base;
  for (let n = 2; await exists(path.join(importsDir, id)); n++) id = `${base}-${n}`;
  return id;
}

/** What the user imported, in words: the file name and its format. */
export function describeSource(fileName: string): string {
  const ext = path.extname(fileName).toLowerCase();
  const format = ext === '.keras' ? 'Keras 3 .keras' : ext === '.h5' || ext === '.hdf5' ? 'Keras HDF5' : 'TensorFlow.js layers model';
  return `${fileName} (${format})`;
}

export interface ImportedModel {
  importId: string;
  dir: string;
  experiment: ExperimentSpec;
  source?: string;
}

/** The import's folder and spec, or null when there is no usable import of that id. */
export async function readImport(importsDir: string, importId: string): Promise<ImportedModel | null> {
  if (!RUN_ID_PATTERN.test(importId)) return null;
  const dir = path.join(importsDir, importId);
  if (!(await exists(path.join(dir, MODEL_JSON)))) return null;
  let experiment: ExperimentSpec;
  try {
    const checked = validateExperiment(JSON.parse(await readFile(path.join(dir, EXPERIMENT_JSON), 'utf8')));
    if (!checked.ok) return null;
    experiment = checked.value;
  } catch {
    return null;
  }
  let source: string | undefined;
  try {
    source = (JSON.parse(await readFile(path.join(dir, IMPORT_INFO_JSON), 'utf8')) as { source?: string }).source;
  } catch {
    // import.json is a courtesy for the run record; the weights do not depend on it
  }
  return { importId, dir, experiment, ...(source ? { source } : {}) };
}

/**
 * Why `model` cannot start from the weights of `imported`, naming the first layer that does not fit; null
 * when every layer matches in type and parameter count (the training process then checks exact shapes).
 */
export function weightsMismatch(model: ModelSpec, imported: ModelSpec): string | null {
  const mine = summarize(model).layers;
  const theirs = summarize(imported).layers;
  if (mine.length !== theirs.length)
    return `the imported model has ${theirs.length} layers and this one ${mine.length}; its weights fit only the same layers`;
  for (const [i, layer] of mine.entries()) {
    const other = theirs[i];
    const name = `layer ${i + 1} (${layer.name}, ${layer.type})`;
    if (layer.type !== other.type) return `${name}: the imported model has a ${other.type} layer here`;
    if (layer.params !== other.params)
      return `${name}: the imported weights hold ${other.params.toLocaleString('en-US')} parameters, this layer needs ${layer.params.toLocaleString('en-US')}`;
  }
  if (model.inputShape.join('x') !== imported.inputShape.join('x'))
    return `the imported model takes ${imported.inputShape.join('x')} images, this one ${model.inputShape.join('x')}`;
  return null;
}

/**
 * Why the imported model cannot be evaluated on a dataset with these images and classes, naming both sides;
 * null when its input takes the dataset's images and it has one output per class.
 */
export function importDatasetMismatch(model: ModelSpec, dataset: { inputShape: number[]; classNames: string[] }): string | null {
  const takes = model.inputShape.join('x');
  if (takes !== dataset.inputShape.join('x')) return `the model takes ${takes} images and the dataset has ${dataset.inputShape.join('x')}`;
  const out = summarize(model).outputShape;
  const outputs = out ? out[out.length - 1] : undefined;
  if (outputs !== dataset.classNames.length)
    return `the model has ${outputs ?? 'no'} outputs and the dataset has ${dataset.classNames.length} classes`;
  return null;
}
