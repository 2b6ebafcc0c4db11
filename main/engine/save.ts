/**
 * Saving a trained model as a folder in the TensorFlow.js layers format (model.json + weights.bin, loadable
 * with tf.loadLayersModel) plus Layerbench's own files (spec, settings, history).
 *
 * The write is atomic: everything goes to a sibling temporary folder, each file is fsynced, then the folder
 * replaces the old one by rename. A crash or a full disk at any step leaves the previous model or the new
 * one, never a mix; `recoverInterruptedSave` finishes or undoes a swap cut off between its two renames.
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { nodeDurableFs, type DurableFs } from './durable-fs.js';
import type { LayersModel, TF } from './tf-types.js';
import { MODEL_JSON, WEIGHTS_BIN } from '../../common/model-files.js';

export class SaveError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'SaveError';
  }
}

const previousOf = (dir: string) => `${dir}.previous`;
const TEMP_MARK = '.saving-';

/** Puts a folder back in order after a save that was cut off (crash, power loss) part way. */
export async function recoverInterruptedSave(dir: string, fs: DurableFs = nodeDurableFs): Promise<void> {
  const previous = previousOf(dir);
  if (await fs.exists(previous)) {
    // The old folder was moved aside; if the new one never arrived, put the old one back.
    if (await fs.exists(dir)) await fs.rm(previous);
    else await fs.rename(previous, dir);
  }
  const parent = path.dirname(dir);
  if (await fs.exists(parent)) {
    const base = path.basename(dir) + TEMP_MARK;
    for (const entry of await fs.readdir(parent)) {
      if (entry.startsWith(base)) await fs.rm(path.join(parent, entry));
    }
  }
}

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
  const modelJson = {
    modelTopology: captured.modelTopology,
    format: 'layers-model',
    generatedBy: captured.generatedBy,
    convertedBy: null,
    weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: captured.weightSpecs }],
  };
  return { [MODEL_JSON]: JSON.stringify(modelJson), [WEIGHTS_BIN]: joinWeights(captured.weightData as ArrayBuffer | ArrayBuffer[]) };
}

function describeFault(e: unknown, file: string, dir: string): SaveError {
  const code = (e as NodeJS.ErrnoException).code ?? 'SAVE_FAILED';
  const reason =
    code === 'ENOSPC'
      ? 'the disk is full'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EIO'
          ? 'an input/output error from the disk'
          : (e as Error).message;
  return new SaveError(
    code,
    `could not save the model to ${dir}: ${reason} while writing ${file}. Any model saved there before is unchanged.`,
    file,
  );
}

/**
 * Saves `model` and `extras` (file name to contents) into `dir`, replacing what was there atomically.
 */
export async function saveModelAtomic(
  tf: TF,
  model: LayersModel,
  dir: string,
  extras: Record<string, string | Uint8Array> = {},
  fs: DurableFs = nodeDurableFs,
): Promise<void> {
  dir = path.resolve(dir);
  const parent = path.dirname(dir);
  await recoverInterruptedSave(dir, fs);
  const temp = `${dir}${TEMP_MARK}${process.pid}-${Date.now().toString(36)}`;
  const files = { ...(await modelFiles(tf, model)), ...extras };
  let current = temp;
  try {
    await fs.mkdir(parent);
    await fs.mkdir(temp);
    for (const [name, data] of Object.entries(files)) {
      current = path.join(temp, name);
      await fs.writeFileDurable(current, data);
    }
    current = temp;
    await fs.fsyncDir(temp);
  } catch (e) {
    await fs.rm(temp).catch(() => {});
    throw describeFault(e, current, dir);
  }
  const previous = previousOf(dir);
  const hadPrevious = await fs.exists(dir);
  try {
    if (hadPrevious) await fs.rename(dir, previous);
    current = dir;
    await fs.rename(temp, dir);
    await fs.fsyncDir(parent);
  } catch (e) {
    // Undo: the old folder goes back into place; the new files are dropped.
    if (hadPrevious && !(await fs.exists(dir).catch(() => true))) await fs.rename(previous, dir).catch(() => {});
    await fs.rm(temp).catch(() => {});
    throw describeFault(e, current, dir);
  }
  if (hadPrevious) await fs.rm(previous).catch(() => {});
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
