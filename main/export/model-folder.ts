/**
 * Reads a saved model folder (TensorFlow.js layers format: model.json + weight files, and Layerbench's
 * experiment.json / classes.json when it wrote the folder) into a spec and plain weight arrays, without
 * loading TensorFlow: exporting a model does no math, so it needs no backend.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatIssues, validateExperiment } from '../../common/schema.js';
import type { ExperimentSpec, ModelSpec } from '../../common/spec.js';
import type { KerasConfig } from './keras-model-config.js';
import { specFromKerasConfig } from './spec-from-keras.js';
import { WeightsError, type ModelWeights } from './weights.js';
import { EXPERIMENT_JSON, MODEL_JSON } from '../../common/model-files.js';

export interface ModelFolder {
  dir: string;
  spec: ModelSpec;
  /** Present when Layerbench wrote the folder (experiment.json). */
  experiment?: ExperimentSpec;
  classNames?: string[];
  weights: ModelWeights;
}

interface WeightEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

interface ModelJson {
  modelTopology: KerasConfig & { model_config?: KerasConfig };
  weightsManifest: { paths: string[]; weights: WeightEntry[] }[];
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new WeightsError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new WeightsError(`${file} is not valid JSON: ${(e as Error).message}`, file);
  }
}

async function optionalJson(file: string): Promise<unknown> {
  try {
    await readFile(file);
  } catch {
    return undefined;
  }
  return readJson(file);
}

/** Splits the concatenated weight files by the manifest into `layer/variable` arrays. */
export async function readTfjsWeights(dir: string, json: ModelJson, jsonFile: string): Promise<ModelWeights> {
  if (!Array.isArray(json.weightsManifest)) throw new WeightsError(`${jsonFile} has no weightsManifest`, jsonFile);
  const weights: ModelWeights = new Map();
  for (const group of json.weightsManifest) {
    const parts: Buffer[] = [];
    for (const p of group.paths) {
      const file = path.join(dir, p);
      try {
        parts.push(await readFile(file));
      } catch (e) {
        throw new WeightsError(`cannot read weights file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file);
      }
    }
    const bytes = Buffer.concat(parts);
    let offset = 0;
    for (const w of group.weights) {
      if (w.dtype !== 'float32' || w.quantization) {
        throw new WeightsError(
          `${jsonFile}: weight "${w.name}" is ${w.quantization ? 'quantized' : w.dtype}; only float32 weights are supported`,
          jsonFile,
        );
      }
      const count = w.shape.reduce((a, b) => a * b, 1);
      if (offset + count * 4 > bytes.length)
        throw new WeightsError(`${jsonFile}: the weight files end before weight "${w.name}"`, jsonFile);
      // Copy: the slice must be 4-byte aligned for a Float32Array view.
      const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + count * 4));
      offset += count * 4;
      const slash = w.name.lastIndexOf('/');
      const layer = w.name.slice(0, slash);
      const variable = w.name.slice(slash + 1);
      if (!weights.has(layer)) weights.set(layer, new Map());
      weights.get(layer)!.set(variable, { shape: [...w.shape], data });
    }
  }
  return weights;
}

/** Reads `dir/model.json` (a model folder). The spec comes from experiment.json where Layerbench wrote one. */
export async function readModelFolder(dir: string): Promise<ModelFolder> {
  const jsonFile = path.join(dir, MODEL_JSON);
  const json = (await readJson(jsonFile)) as ModelJson;
  if (!json || typeof json !== 'object' || !json.modelTopology)
    throw new WeightsError(`${jsonFile} is not a TensorFlow.js layers model (no modelTopology)`, jsonFile);
  const weights = await readTfjsWeights(dir, json, jsonFile);
  const experimentFile = path.join(dir, EXPERIMENT_JSON);
  const rawExperiment = await optionalJson(experimentFile);
  let experiment: ExperimentSpec | undefined;
  let spec: ModelSpec;
  if (rawExperiment !== undefined) {
    const checked = validateExperiment(rawExperiment);
    if (!checked.ok) throw new WeightsError(`${experimentFile} is invalid:\n${formatIssues(checked.issues)}`, experimentFile);
    experiment = checked.value;
    spec = experiment.model;
  } else {
    spec = specFromKerasConfig(json.modelTopology.model_config ?? json.modelTopology, jsonFile).spec;
  }
  const classes = await optionalJson(path.join(dir, 'classes.json'));
  const classNames = Array.isArray(classes) && classes.every((c) => typeof c === 'string') ? (classes as string[]) : undefined;
  return { dir, spec, ...(experiment ? { experiment } : {}), ...(classNames ? { classNames } : {}), weights };
}
