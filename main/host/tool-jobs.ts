/**
 * The short jobs a training process runs besides training (see ToolJob): importing a model trained elsewhere
 * into the data folder, and classifying images with a run's model. Each answers once with a ToolOutput, or
 * fails with a ToolFailure carrying the contract's error code.
 */
import { replaceFile } from '../platform/replace-file.js';
import path from 'node:path';
import type { ErrorCode, Prediction } from '../../common/contract.js';
import { DEFAULT_TRAINING } from '../../common/spec.js';
import { decodeImageFile, UnreadableImageError, predictPixels } from '../engine/predict.js';
import { SaveError } from '../engine/save.js';
import type { EngineBackend } from '../engine/tf-types.js';
import { importModel } from '../runs/import-model.js';
import { KerasImportError } from '../export/keras-model-config.js';
import { WeightsError } from '../export/weights.js';
import { loadModelSource } from '../runs/model-source.js';
import { RunError } from '../runs/run-error.js';
import type { ToolJob, ToolOutput } from './protocol.js';
import { IMPORT_INFO_JSON } from '../../common/model-files.js';

export class ToolFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ToolFailure';
  }
}

async function importJob(engine: EngineBackend, job: Extract<ToolJob, { mode: 'import' }>): Promise<ToolOutput> {
  let result;
  try {
    result = await importModel(engine.tf, job.file, job.outDir);
  } catch (e) {
    // Unsupported layers, a malformed file, weights that do not fit: the model cannot be used, and the message
    // (from main/export) names every layer or file at fault.
    if (e instanceof KerasImportError || e instanceof WeightsError) throw new ToolFailure('SPEC_INVALID', e.message);
    if (e instanceof SaveError) throw new ToolFailure('IO_ERROR', e.message);
    throw e;
  }
  const warnings: string[] = [];
  if (path.extname(job.file).toLowerCase() === '.json') {
    // Keras files carry their compile settings (read by trainingFromKeras); a TensorFlow.js model.json does not.
    const t = DEFAULT_TRAINING;
    warnings.push(
      `Layerbench reads no training settings from a TensorFlow.js model; its defaults apply (${t.optimizer}, learning rate ${t.learningRate})`,
    );
  }
  const info = { source: job.source, importedAt: new Date().toISOString(), warnings };
  await replaceFile(path.join(result.dir, IMPORT_INFO_JSON), JSON.stringify(info, null, 2) + '\n');
  return { mode: 'import', experiment: result.experiment, warnings };
}

/** Each image on its own: one that cannot be read gets an error naming it, and the others are still classified. */
async function predictJob(engine: EngineBackend, job: Extract<ToolJob, { mode: 'predict' }>): Promise<ToolOutput> {
  let loaded;
  try {
    loaded = await loadModelSource(engine, job.runDir, job.model);
  } catch (e) {
    if (e instanceof RunError) throw new ToolFailure(e.code === 'NO_MODEL' ? 'NOT_FOUND' : 'IO_ERROR', e.message);
    throw e;
  }
  try {
    const shape = loaded.inputShape;
    // An imported model names no classes: they are its output indices.
    const classNames = loaded.classNames ?? Array.from({ length: loaded.outputs }, (_, i) => String(i));
    // One after another: libvips keeps one error buffer per process, so images decoded at the same time
    // can get each other's errors (a truncated PNG reported with another upload's path in its message).
    const decoded: { pixels?: Uint8Array; error?: string }[] = [];
    for (const img of job.images) {
      try {
        decoded.push({ pixels: await decodeImageFile(img.path, shape, loaded.resize) });
      } catch (e) {
        if (!(e instanceof UnreadableImageError)) throw e;
        // The message names the path it read; the user knows the file by its name.
        decoded.push({ error: e.message.split(img.path).join(img.name) });
      }
    }
    const good = decoded.flatMap((d) => (d.pixels ? [d.pixels] : []));
    const tops = good.length ? await predictPixels(engine.tf, loaded.model, good, shape, classNames, job.top) : [];
    let next = 0;
    const predictions: Prediction[] = job.images.map((img, i) => {
      const d = decoded[i];
      if (!d.pixels) return { file: img.name, top: [], error: d.error };
      const top = tops[next++].map((c) => ({ classIndex: c.index, className: c.label, probability: c.probability }));
      return { file: img.name, top };
    });
    return { mode: 'predict', predictions };
  } finally {
    loaded.model.dispose();
  }
}

export function runToolJob(engine: EngineBackend, job: ToolJob): Promise<ToolOutput> {
  switch (job.mode) {
    case 'import':
      return importJob(engine, job);
    case 'predict':
      return predictJob(engine, job);
    default:
      throw new Error(`Unsupported tool job ${(job as { mode: string }).mode}`);
  }
}
