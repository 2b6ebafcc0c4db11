/**
 * Models from outside and images to classify: `model:import` (a Keras or TensorFlow.js model becomes an
 * import in the data folder, whose spec goes to the editor and whose weights a run may start from) and
 * `model:predict` (image files through a run's or an imported model). Both need TensorFlow, so the work happens in a
 * training process (TrainingHostLike.runTool); here the files are chosen (main's dialog) or staged (uploads).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fail, ok, type ModelImportResponse, type Picked, type Prediction, type Result, type UploadedFile } from '../../common/contract.js';
import { IMAGE_EXTENSIONS } from '../data/folder-scan.js';
import type { DataLayout } from './data-dir.js';
import type { Handlers } from './handler-types.js';
import { describeSource, newImportId, readImport } from './imports.js';
import type { RunCatalog } from './run-catalog.js';
import type { ToolOutput } from '../host/protocol.js';
import type { ServiceDeps } from './types.js';
import { withStagedFiles } from './upload-staging.js';

const MODEL_FILTERS = [{ name: 'Keras or TensorFlow.js model', extensions: ['keras', 'h5', 'hdf5', 'json'] }];
// What predict decodes: the formats dataset imports read (data/folder-scan.ts), so a model sees new images as
// it saw its training images.
const IMAGE_FILTERS = [{ name: 'Images', extensions: IMAGE_EXTENSIONS.map((e) => e.slice(1)) }];
/** Files picked in the desktop dialog are read from disk one by one, so more are fine than can be uploaded. */
export const MAX_PICKED_IMAGES = 1000;
const KERAS_EXTENSIONS = ['.keras', '.h5', '.hdf5'];
const TFJS_MODEL_JSON = 'model.json';

const ext = (name: string) => path.extname(name).toLowerCase();

/** Which uploaded file is the model: one Keras file on its own, or one model.json whose weight files all came with it. */
export function modelFileOf(files: UploadedFile[]): Result<string> {
  const keras = files.filter((f) => KERAS_EXTENSIONS.includes(ext(f.name)));
  if (keras.length) {
    return files.length === 1
      ? ok(keras[0].name)
      : fail('INVALID_REQUEST', `model:import: send one .keras or .h5 file on its own (got ${files.map((f) => f.name).join(', ')})`);
  }
  const jsons = files.filter((f) => ext(f.name) === '.json');
  if (jsons.length !== 1) {
    return fail(
      'INVALID_REQUEST',
      `model:import: send a .keras or .h5 file, or one TensorFlow.js model.json with its weight files (got ${files.map((f) => f.name).join(', ')})`,
    );
  }
  const json = jsons[0];
  let manifest: unknown;
  try {
    manifest = (JSON.parse(Buffer.from(json.contentBase64, 'base64').toString('utf8')) as { weightsManifest?: unknown }).weightsManifest;
  } catch (e) {
    return fail('SPEC_INVALID', `${json.name} is not valid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(manifest)) return fail('SPEC_INVALID', `${json.name} has no weightsManifest: it is not a TensorFlow.js layers model`);
  const sent = new Set(files.map((f) => f.name));
  for (const group of manifest as { paths?: unknown }[]) {
    for (const p of Array.isArray(group?.paths) ? group.paths : []) {
      const name = String(p).replace(/^\.\//, '');
      if (/[\\/]/.test(name) || name === '..')
        return fail(
          'SPEC_INVALID',
          `${json.name} lists weights file "${String(p)}" outside its own folder; only files beside model.json are read`,
        );
      if (!sent.has(name))
        return fail('INVALID_REQUEST', `${json.name} needs the weights file "${name}": send it together with ${json.name}`);
    }
  }
  return ok(json.name);
}

export function modelHandlers(deps: ServiceDeps, layout: DataLayout, runs: RunCatalog): Handlers<'model:import' | 'model:predict'> {
  async function importFile(file: string, displayName: string, hidePaths = (t: string) => t): Promise<Result<Picked<ModelImportResponse>>> {
    // A picked model.json says little about the model; the folder it was picked from usually says more.
    const stem = path.parse(displayName).name;
    const label = stem === 'model' && path.isAbsolute(displayName) ? path.basename(path.dirname(displayName)) : stem;
    await mkdir(layout.imports, { recursive: true });
    const importId = await newImportId(layout.imports, label);
    const source = describeSource(path.basename(displayName));
    const answer = await deps.host.runTool({ mode: 'import', file, outDir: path.join(layout.imports, importId), source });
    if (!answer.ok) return fail(answer.error.code, hidePaths(answer.error.message));
    if (answer.value.mode !== 'import') return fail('INTERNAL', 'model:import: the training process answered another job');
    const { experiment, warnings } = answer.value;
    return ok({ canceled: false, importId, experiment, source, warnings });
  }

  function predictions(answer: Result<ToolOutput>, hidePaths = (t: string) => t): Result<Picked<{ predictions: Prediction[] }>> {
    if (!answer.ok) return fail(answer.error.code, hidePaths(answer.error.message));
    if (answer.value.mode !== 'predict') return fail('INTERNAL', 'model:predict: the training process answered another job');
    return ok({ canceled: false, predictions: answer.value.predictions });
  }

  return {
    async 'model:import'(req) {
      if (req.files) {
        const model = modelFileOf(req.files);
        if (!model.ok) return model;
        // A TensorFlow.js model is read from its folder's model.json, whatever the user's copy was called.
        const asSent = ext(model.value) === '.json' ? TFJS_MODEL_JSON : model.value;
        const files = req.files.map((f) => (f.name === model.value ? { ...f, name: asSent } : f));
        return withStagedFiles(layout.uploads, files, (staged) =>
          importFile(staged.files.find((f) => f.name === asSent)!.path, model.value, staged.hidePaths),
        );
      }
      if (!deps.dialogs)
        return fail(
          'INVALID_REQUEST',
          'model:import: in browser mode, send the model file (files: a .keras, .h5, or model.json with its weights)',
        );
      const picked = await deps.dialogs.pickFile('Import a model: Keras .keras or .h5, or TensorFlow.js model.json', MODEL_FILTERS);
      if (!picked) return ok({ canceled: true } as Picked<ModelImportResponse>);
      if (ext(picked) === '.json' && path.basename(picked) !== TFJS_MODEL_JSON)
        return fail('INVALID_REQUEST', `${picked}: a TensorFlow.js model is read from the model.json beside its weight files; pick that`);
      return importFile(picked, picked);
    },

    async 'model:predict'(req) {
      let modelDir: string;
      if ('importId' in req) {
        // An imported model has one set of weights and names no classes: they are listed by output index.
        const imported = await readImport(layout.imports, req.importId);
        if (!imported) return fail('NOT_FOUND', `no imported model "${req.importId}" in ${layout.imports}`);
        if (req.model && req.model !== 'final')
          return fail('INVALID_REQUEST', `model:predict: an imported model has no ${req.model} checkpoint`);
        modelDir = imported.dir;
      } else {
        if (!(await runs.exists(req.runId))) return fail('NOT_FOUND', `no run "${req.runId}" in ${layout.runs}`);
        modelDir = runs.runDir(req.runId);
      }
      const job = {
        mode: 'predict' as const,
        runDir: modelDir,
        top: req.top ?? 3,
        ...(req.model ? { model: req.model } : {}),
      };
      if (req.images) {
        return withStagedFiles(layout.uploads, req.images, async (staged) =>
          predictions(await deps.host.runTool({ ...job, images: staged.files }), staged.hidePaths),
        );
      }
      if (!deps.dialogs)
        return fail('INVALID_REQUEST', 'model:predict: in browser mode, send the images (images: their names and contents)');
      const picked = await deps.dialogs.pickFiles('Choose images to classify', IMAGE_FILTERS);
      if (!picked || picked.length === 0) return ok({ canceled: true } as Picked<{ predictions: Prediction[] }>);
      if (picked.length > MAX_PICKED_IMAGES)
        return fail('INVALID_REQUEST', `model:predict: ${picked.length} images chosen; classify at most ${MAX_PICKED_IMAGES} at a time`);
      return predictions(await deps.host.runTool({ ...job, images: picked.map((p) => ({ path: p, name: path.basename(p) })) }));
    },
  };
}
