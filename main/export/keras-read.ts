/**
 * Reading a model made elsewhere: a Keras 3 `.keras` file, a legacy Keras `.h5` file, or a TensorFlow.js
 * `model.json`, into a Layerbench spec and weight arrays. No TensorFlow is needed to read them.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import type { ModelSpec } from '../../common/spec.js';
import { tempNameFor } from '../platform/replace-file.js';
import { isH5Group, readFloat32, readStringAttr, readStringList, withH5, type H5File } from './h5.js';
import { readModelFolder } from './model-folder.js';
import { KerasImportError, type KerasConfig } from './keras-model-config.js';
import { specFromKerasConfig, type KerasSpec } from './spec-from-keras.js';
import { layerNames } from '../../common/summarize.js';
import type { ModelWeights, WeightArray } from './weights.js';

export interface ReadModel {
  spec: ModelSpec;
  weights: ModelWeights;
  /** The training configuration the file carried (Keras `compile_config` / `training_config`), if any. */
  trainingConfig?: unknown;
}

function parseJson(text: string, what: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new KerasImportError(`${file}: ${what} is not valid JSON: ${(e as Error).message}`, file);
  }
}

/** Gives BatchNormalization layers saved without scale or center their neutral gamma (1) or beta (0). */
function completeWeights(spec: ModelSpec, weights: ModelWeights): ModelWeights {
  const names = layerNames(spec.layers);
  for (const [i, layer] of spec.layers.entries()) {
    if (layer.type !== 'BatchNormalization') continue;
    const vars = weights.get(names[i]);
    const mean = vars?.get('moving_mean');
    if (!vars || !mean) continue;
    if (!vars.has('gamma')) vars.set('gamma', { shape: mean.shape, data: new Float32Array(mean.data.length).fill(1) });
    if (!vars.has('beta')) vars.set('beta', { shape: mean.shape, data: new Float32Array(mean.data.length) });
  }
  return weights;
}

/** Assigns the arrays a file lists for one layer to the variable names the layer's config implies. */
function assign(weights: ModelWeights, layer: string, vars: string[], arrays: WeightArray[], file: string): void {
  if (arrays.length !== vars.length) {
    throw new KerasImportError(
      `${file}: layer "${layer}" has ${arrays.length} weight arrays, expected ${vars.length} (${vars.join(', ')})`,
      file,
    );
  }
  weights.set(layer, new Map(vars.map((v, i) => [v, arrays[i]])));
}

function readKerasV3Weights(f: H5File, parsed: KerasSpec, file: string): ModelWeights {
  const weights: ModelWeights = new Map();
  for (const [layer, vars] of parsed.storedVars) {
    if (!vars.length) continue;
    // Keras 3 nests a Sequential or functional model's layers under layers/ (early 3.x releases:
    // _layer_checkpoint_dependencies/), each named after its class, not after the layer.
    const group = parsed.weightPaths.get(layer) ?? layer;
    const base = ['layers', '_layer_checkpoint_dependencies'].map((p) => `${p}/${group}/vars`).find((p) => isH5Group(f.get(p)));
    if (!base) throw new KerasImportError(`${file}: model.weights.h5 has no weights for layer "${layer}"`, file);
    const arrays = vars.map((_, i) => {
      const a = readFloat32(f, `${base}/${i}`);
      if (!a) throw new KerasImportError(`${file}: model.weights.h5 lacks ${base}/${i}`, file);
      return a;
    });
    assign(weights, layer, vars, arrays, file);
  }
  return weights;
}

async function readDotKeras(file: string): Promise<ReadModel> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new KerasImportError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file);
  }
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (e) {
    throw new KerasImportError(`${file} is not a .keras (zip) file: ${(e as Error).message}`, file);
  }
  if (!entries['config.json'] || !entries['model.weights.h5'])
    throw new KerasImportError(`${file}: a .keras file must hold config.json and model.weights.h5`, file);
  const config = parseJson(strFromU8(entries['config.json']), 'config.json', file) as KerasConfig & { compile_config?: unknown };
  const parsed = specFromKerasConfig(config, file);
  const temp = tempNameFor(file) + '.weights.h5';
  await writeFile(temp, entries['model.weights.h5']);
  try {
    const weights = await withH5(temp, 'r', (f) => readKerasV3Weights(f, parsed, file));
    return { spec: parsed.spec, weights: completeWeights(parsed.spec, weights), trainingConfig: config.compile_config };
  } finally {
    await rm(temp, { force: true });
  }
}

function readH5Weights(f: H5File, parsed: KerasSpec, file: string): ModelWeights {
  const root = f.get('model_weights') ?? f;
  if (!isH5Group(root)) throw new KerasImportError(`${file}: no model_weights group`, file);
  const weights: ModelWeights = new Map();
  for (const [layer, vars] of parsed.storedVars) {
    if (!vars.length) continue;
    const group = root.get(layer);
    if (!isH5Group(group)) throw new KerasImportError(`${file}: no weights group for layer "${layer}"`, file);
    const arrays = readStringList(group, 'weight_names').map((n) => {
      const a = readFloat32(f, `${group.path}/${n}`);
      if (!a) throw new KerasImportError(`${file}: weight ${group.path}/${n} is missing or not a float array`, file);
      return a;
    });
    assign(weights, layer, vars, arrays, file);
  }
  return weights;
}

async function readDotH5(file: string): Promise<ReadModel> {
  return withH5(file, 'r', (f) => {
    const text = readStringAttr(f, 'model_config');
    if (!text) throw new KerasImportError(`${file} holds no model_config: it is a weights-only file, not a saved Keras model`, file);
    const parsed = specFromKerasConfig(parseJson(text, 'model_config', file) as KerasConfig, file);
    const training = readStringAttr(f, 'training_config');
    const weights = completeWeights(parsed.spec, readH5Weights(f, parsed, file));
    return { spec: parsed.spec, weights, ...(training ? { trainingConfig: parseJson(training, 'training_config', file) } : {}) };
  });
}

/** A `.keras`, `.h5`/`.hdf5` or TensorFlow.js `model.json` file (or the folder holding model.json). */
export async function readForeignModel(file: string): Promise<ReadModel> {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.keras') return readDotKeras(file);
  if (ext === '.h5' || ext === '.hdf5') {
    try {
      return await readDotH5(file);
    } catch (e) {
      if (e instanceof KerasImportError) throw e;
      throw new KerasImportError(`${file} could not be read as an HDF5 file: ${(e as Error).message}`, file);
    }
  }
  if (ext === '.json' || ext === '') {
    const folder = await readModelFolder(ext ? path.dirname(file) : file);
    return { spec: folder.spec, weights: completeWeights(folder.spec, folder.weights) };
  }
  throw new KerasImportError(`${file}: unknown model file type "${ext}"; import a .keras, .h5 or TensorFlow.js model.json`, file);
}
