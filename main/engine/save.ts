/**
 * Saving a trained model as a folder in the TensorFlow.js layers format (model.json + weights.bin, loadable
 * with tf.loadLayersModel) plus Layerbench's own files (spec, settings, history).
 *
 * The write goes through platform/replace-file (replaceFolder): a crash or a full disk at any step leaves the
 * previous model or the new one, never a mix; `recoverInterruptedSave` finishes or undoes a swap cut off
 * between its two renames.
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { nodeFileOps, recoverInterruptedReplace, ReplaceError, replaceFolder, type FileOps } from '../platform/replace-file.js';
import type { LayersModel, TF } from './tf-types.js';
import { MODEL_JSON, WEIGHTS_BIN } from '../../common/model-files.js';
import { completeTopology } from './topology-fix.js';

export class SaveError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly file: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SaveError';
  }
}

/** Puts a model folder back in order after a save that was cut off (crash, power loss) part way. */
export const recoverInterruptedSave = recoverInterruptedReplace;

function joinWeights(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  if (!Array.isArray(data)) return new Uint8Array(data);
  const total = data.reduce((a, b) => a + b.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of data) {
    out.set(new Uint8Array(part), offset);
    offset += part.byteLength;
  }
  return out;
}

async function modelFiles(tf: TF, model: LayersModel): Promise<Record<string, string | Uint8Array>> {
  let captured: Parameters<Parameters<TF['io']['withSaveHandler']>[0]>[0] | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!captured || !captured.weightData || !captured.weightSpecs) throw new Error('the model produced no weights to save');
  completeTopology(captured.modelTopology, model);
  const modelJson = {
    modelTopology: captured.modelTopology,
    format: 'layers-model',
    generatedBy: captured.generatedBy,
    convertedBy: null,
    weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: captured.weightSpecs }],
  };
  return { [MODEL_JSON]: JSON.stringify(modelJson), [WEIGHTS_BIN]: joinWeights(captured.weightData as ArrayBuffer | ArrayBuffer[]) };
}

/**
 * Saves `model` and `extras` (file name to contents) into `dir`, replacing what was there atomically.
 */
export async function saveModelAtomic(
  tf: TF,
  model: LayersModel,
  dir: string,
  extras: Record<string, string | Uint8Array> = {},
  fs: FileOps = nodeFileOps,
): Promise<void> {
  dir = path.resolve(dir);
  const files = { ...(await modelFiles(tf, model)), ...extras };
  try {
    await replaceFolder(dir, files, fs);
  } catch (e) {
    if (!(e instanceof ReplaceError)) throw e;
    throw new SaveError(e.code, `could not save the model to ${dir}: ${e.message}. Any model saved there before is unchanged.`, e.target, {
      cause: e,
    });
  }
}

/** Loads a model saved by saveModelAtomic (or any tfjs layers-format folder with one weights file group). */
export async function loadModelFromDir(tf: TF, dir: string): Promise<LayersModel> {
  await recoverInterruptedSave(path.resolve(dir));
  const jsonPath = path.join(dir, MODEL_JSON);
  let json: {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: object[] }[];
  };
  try {
    json = JSON.parse(await readFile(jsonPath, 'utf8'));
  } catch (e) {
    throw new SaveError('LOAD_FAILED', `cannot read ${jsonPath}: ${(e as Error).message}`, jsonPath);
  }
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const parts: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    for (const p of group.paths) parts.push(await readFile(path.join(dir, p)));
  }
  const weightData = joinWeights(parts.map((p) => p.buffer.slice(p.byteOffset, p.byteOffset + p.byteLength) as ArrayBuffer));
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: specs as Parameters<TF['io']['fromMemory']>[0] extends infer A
        ? A extends { weightSpecs?: infer W }
          ? NonNullable<W>
          : never
        : never,
      weightData: weightData.buffer as ArrayBuffer,
    }),
  );
}
