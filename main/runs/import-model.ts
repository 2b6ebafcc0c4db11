/**
 * Importing a model trained elsewhere (Keras `.keras` / `.h5`, TensorFlow.js `model.json`) as a Layerbench
 * model folder: experiment.json (the spec, validated) plus model.json and weights.bin that the engine loads
 * (loadModelFromDir), so the user can keep training it or export it again.
 */
import path from 'node:path';
import { formatIssues, validateExperiment } from '../../common/schema.js';
import type { ExperimentSpec } from '../../common/spec.js';
import { buildModel, ModelBuildError } from '../engine/build-model.js';
import { layersInSpecOrder } from '../engine/model-layers.js';
import { saveModelAtomic } from '../engine/save.js';
import type { LayersModel, TF } from '../engine/tf-types.js';
import { checkExportTarget } from '../export/export-target.js';
import { readForeignModel } from '../export/keras-read.js';
import { KerasImportError } from '../export/keras-model-config.js';
import { trainingFromKeras } from '../export/training-from-keras.js';
import { orderedLayerWeights, type ModelWeights } from '../export/weights.js';
import type { ModelSpec } from '../../common/spec.js';
import { EXPERIMENT_JSON, MODEL_JSON, WEIGHTS_BIN } from '../../common/model-files.js';

/** Builds the engine's model for `spec` and loads `weights` into it. The caller disposes of the model. */
export function buildWithWeights(tf: TF, spec: ModelSpec, weights: ModelWeights, file: string): LayersModel {
  const layers = orderedLayerWeights(spec, weights, file);
  let model: LayersModel;
  try {
    model = buildModel(tf, spec);
  } catch (e) {
    if (e instanceof ModelBuildError) throw new KerasImportError(`${file}: the model cannot be built: ${e.message}`, file);
    throw e;
  }
  const modelLayers = layersInSpecOrder(model, spec);
  layers.forEach(({ name, arrays }, i) => {
    if (!arrays.length) return;
    const layer = modelLayers[i];
    const expected = layer.getWeights().map((w) => w.shape.join('x'));
    const given = arrays.map((a) => a.shape.join('x'));
    if (expected.join() !== given.join()) {
      model.dispose();
      throw new KerasImportError(
        `${file}: layer "${name}" weights have shapes [${given.join(', ')}], the model needs [${expected.join(', ')}]`,
        file,
      );
    }
    const tensors = arrays.map((a) => tf.tensor(a.data, a.shape, 'float32'));
    layer.setWeights(tensors);
    tensors.forEach((t) => t.dispose());
  });
  return model;
}

export interface ImportResult {
  dir: string;
  experiment: ExperimentSpec;
  files: string[];
}

/**
 * Reads `file` and saves it as a model folder at `outDir`. An existing non-empty `outDir` is replaced only
 * with `force`, and a run folder never (export-target.ts); checked before the file is even read.
 */
export async function importModel(tf: TF, file: string, outDir: string, options: { force?: boolean } = {}): Promise<ImportResult> {
  await checkExportTarget(outDir, { shape: 'folder', keep: [file], ...(options.force ? { force: true } : {}) });
  const read = await readForeignModel(file);
  const checked = validateExperiment({ model: read.spec, training: trainingFromKeras(read.trainingConfig) });
  if (!checked.ok) throw new KerasImportError(`${file}: the imported experiment is invalid:\n${formatIssues(checked.issues)}`, file);
  const experiment = checked.value;
  const model = buildWithWeights(tf, experiment.model, read.weights, file);
  const dir = path.resolve(outDir);
  try {
    await saveModelAtomic(tf, model, dir, { [EXPERIMENT_JSON]: JSON.stringify(experiment, null, 2) });
  } finally {
    model.dispose();
  }
  return { dir, experiment, files: [EXPERIMENT_JSON, MODEL_JSON, WEIGHTS_BIN] };
}
