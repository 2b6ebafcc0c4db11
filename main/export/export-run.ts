/**
 * Exporting a trained model: from a run folder (what `layerbench train --out DIR` and the app write: run.json
 * plus model/) or from a bare model folder, to a Keras `.keras` or `.h5` file, a TensorFlow.js folder, or a
 * Python training script. The one entry point the CLI and the app's `model:export` handler share.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ExportFormat } from '../../common/contract.js';
import { DEFAULT_TRAINING } from '../../common/spec.js';
import { writeFileAtomically } from './atomic-file.js';
import { kerasNameProblem } from './keras-config.js';
import { writeKerasH5 } from './keras-h5.js';
import { writeKerasV3 } from './keras-v3.js';
import { readModelFolder, type ModelFolder } from './model-folder.js';
import { KerasImportError } from './keras-model-config.js';
import { WeightsError } from './weights.js';
import { OptimizerStateError, readOptimizerState, type SavedOptimizerState } from './optimizer-checkpoint.js';
import { pythonTrainingScript, type ScriptDataset } from './python-script.js';
import { writeTfjsFolder } from './tfjs-export.js';
import { MODEL_JSON } from '../../common/model-files.js';

export class ExportError extends Error {
  constructor(
    message: string,
    /** The file or folder at fault. */
    readonly file: string,
    /** `input`: the model to export is missing or damaged; `write`: writing the export failed (disk full ...). */
    readonly kind: 'input' | 'write' = 'input',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ExportError';
  }
}

function writeFault(e: unknown, target: string): ExportError {
  const code = (e as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOSPC' ? 'the disk is full' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (e as Error).message;
  return new ExportError(`cannot write ${target}: ${reason}; nothing was left half-written`, target, 'write', { cause: e });
}

export interface ExportResult {
  /** The file written, or the folder for the tfjs format. */
  path: string;
  files: string[];
}

export const EXPORT_EXTENSIONS: Record<ExportFormat, string> = { keras: '.keras', h5: '.h5', tfjs: '', python: '.py' };

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

interface RunDataset {
  id?: string;
  source?: string;
  classNames?: string[];
}

/** Where a run folder keeps its latest checkpoint, with the optimizer state (runs/run-folder.ts lays it out). */
const LAST_CHECKPOINT = path.join('checkpoints', 'last');

/** The model folder and, for a run folder, the run's folder and the dataset it was trained on (from run.json). */
export async function locateModel(source: string): Promise<{ modelDir: string; runDir?: string; dataset?: ScriptDataset }> {
  const dir = path.resolve(source);
  let modelDir: string;
  if (await exists(path.join(dir, 'model', MODEL_JSON))) modelDir = path.join(dir, 'model');
  else if (await exists(path.join(dir, MODEL_JSON))) modelDir = dir;
  else throw new ExportError(`${dir} is neither a run folder (with model/model.json) nor a model folder (with model.json)`, dir);
  const runJson = path.join(path.dirname(modelDir), 'run.json');
  if (!(await exists(runJson))) return { modelDir };
  try {
    const run = JSON.parse(await readFile(runJson, 'utf8')) as { dataset?: RunDataset };
    const d = run.dataset;
    const runDir = path.dirname(modelDir);
    if (!d || typeof d.id !== 'string') return { modelDir, runDir };
    return {
      modelDir,
      runDir,
      dataset: {
        id: d.id,
        ...(d.source ? { source: d.source } : {}),
        ...(Array.isArray(d.classNames) ? { classNames: d.classNames } : {}),
      },
    };
  } catch (e) {
    throw new ExportError(`cannot read ${runJson}: ${(e as Error).message}`, runJson);
  }
}

/**
 * Writes the export of the model in `source` (a run folder or a model folder) to `out`. Every failure is an
 * ExportError saying which file is at fault and whether it was the model read or the export written.
 */
export async function exportModel(source: string, format: ExportFormat, out: string): Promise<ExportResult> {
  const { modelDir, runDir, dataset } = await locateModel(source);
  let folder: ModelFolder;
  let optimizer: SavedOptimizerState | undefined;
  try {
    folder = await readModelFolder(modelDir);
    // The .keras format carries the optimizer's state: a run's is in its last checkpoint.
    if (format === 'keras' && runDir && folder.experiment) optimizer = await readOptimizerState(path.join(runDir, LAST_CHECKPOINT));
  } catch (e) {
    if (e instanceof WeightsError || e instanceof KerasImportError || e instanceof OptimizerStateError) {
      throw new ExportError(e.message, e.file, 'input', { cause: e });
    }
    throw e;
  }
  const target = path.resolve(out);
  try {
    return await writeExport(modelDir, { ...folder, optimizer }, dataset, format, target);
  } catch (e) {
    if (e instanceof ExportError) throw e;
    if (e instanceof WeightsError || e instanceof OptimizerStateError) throw new ExportError(e.message, e.file, 'input', { cause: e });
    throw writeFault(e, target);
  }
}

async function writeExport(
  modelDir: string,
  folder: ModelFolder & { optimizer?: SavedOptimizerState },
  dataset: ScriptDataset | undefined,
  format: ExportFormat,
  target: string,
): Promise<ExportResult> {
  const classNames = folder.classNames ?? dataset?.classNames;
  const badName = format === 'tfjs' ? undefined : kerasNameProblem(folder.spec);
  if (badName) throw new ExportError(`cannot export ${modelDir} as ${format}: ${badName}`, modelDir);
  switch (format) {
    case 'keras':
      await writeKerasV3(target, folder.spec, folder.weights, folder.experiment?.training, undefined, folder.optimizer);
      return { path: target, files: [path.basename(target)] };
    case 'h5':
      await writeKerasH5(target, folder.spec, folder.weights, folder.experiment?.training);
      return { path: target, files: [path.basename(target)] };
    case 'tfjs':
      return { path: target, files: await writeTfjsFolder(modelDir, target, folder.spec, classNames) };
    case 'python': {
      // A model folder without experiment.json (imported from elsewhere) trains with Layerbench's defaults.
      const experiment = folder.experiment ?? { model: folder.spec, training: DEFAULT_TRAINING };
      const ds: ScriptDataset | undefined = dataset ? { ...dataset, ...(classNames ? { classNames } : {}) } : undefined;
      await writeFileAtomically(target, pythonTrainingScript(experiment, ds, new Date(), path.basename(target), path.dirname(target)));
      return { path: target, files: [path.basename(target)] };
    }
    default: {
      const never: never = format;
      throw new ExportError(`unknown export format ${String(never)}`, target);
    }
  }
}
