/**
 * Exporting a trained model: from a run folder (what `layerbench train --out DIR` and the app write: run.json
 * plus model/) or from a bare model folder, to a Keras `.keras` or `.h5` file, a TensorFlow.js folder, or a
 * Python training script. The one entry point the CLI and the app's `model:export` handler share.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ExportFormat } from '../../common/contract.js';
import { DEFAULT_TRAINING } from '../../common/spec.js';
import { checkExportTarget, isInside } from './export-target.js';
import { FolderLockedError, lockFolder, type FolderLock } from '../platform/folder-lock.js';
import { describeFileError, ReplaceError, replaceFile } from '../platform/replace-file.js';
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
    /**
     * `input`: the model to export is missing or damaged; `write`: writing the export failed (disk full ...);
     * `busy`: the run folder it would be written into is locked by another process.
     */
    readonly kind: 'input' | 'write' | 'busy' = 'input',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ExportError';
  }
}

function writeFault(e: unknown, target: string): ExportError {
  const reason = e instanceof ReplaceError ? e.message : describeFileError(e);
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
  const runDir = path.dirname(modelDir);
  try {
    const run = JSON.parse(await readFile(runJson, 'utf8')) as { dataset?: RunDataset };
    const d = run.dataset;
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

export interface ExportOptions {
  /** Replace an existing folder (or, for tfjs, a non-empty folder or a file) at `out`; see export-target.ts. */
  force?: boolean;
}

/**
 * Writes the export of the model in `source` (a run folder or a model folder) to `out`. Every failure is an
 * ExportError saying which file is at fault and whether it was the model read or the export written, or an
 * ExportTargetError when `out` is more than the export may replace. An export into the run folder itself
 * (its exports/) holds the run's lock, so it never runs beside training or evaluation of that run.
 */
export async function exportModel(source: string, format: ExportFormat, out: string, options: ExportOptions = {}): Promise<ExportResult> {
  const { modelDir, runDir, dataset } = await locateModel(source);
  const target = path.resolve(out);
  const write = () => exportLocated(modelDir, runDir, dataset, format, target, options);
  if (!runDir || !isInside(target, runDir)) return write();
  let lock: FolderLock;
  try {
    lock = await lockFolder(runDir, 'export');
  } catch (e) {
    if (e instanceof FolderLockedError) throw new ExportError(`cannot export into ${runDir}: ${e.message}`, runDir, 'busy');
    throw e;
  }
  try {
    return await write();
  } finally {
    await lock.release();
  }
}

async function exportLocated(
  modelDir: string,
  runDir: string | undefined,
  dataset: ScriptDataset | undefined,
  format: ExportFormat,
  target: string,
  options: ExportOptions,
): Promise<ExportResult> {
  // Before the model is read: a refused target costs nothing and leaves everything as it was.
  await checkExportTarget(target, {
    shape: format === 'tfjs' ? 'folder' : 'file',
    ...(options.force ? { force: true } : {}),
    keep: runDir ? [modelDir, runDir] : [modelDir],
  });
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
      await replaceFile(target, pythonTrainingScript(experiment, ds, new Date(), path.basename(target), path.dirname(target)));
      return { path: target, files: [path.basename(target)] };
    }
    default: {
      const never: never = format;
      throw new ExportError(`unknown export format ${String(never)}`, target);
    }
  }
}
