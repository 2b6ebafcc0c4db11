/**
 * Starting a run from weights trained elsewhere (an imported Keras or TensorFlow.js model, or any saved model
 * folder) instead of fresh ones. The model is always built from the run's own spec; the folder's weights are
 * then copied in layer by layer, and every layer must match in type and weight shapes, so an edited spec
 * never trains silently on weights that belong to another architecture.
 */
import { loadModelFromDir } from './save.js';
import type { LayersModel, TF } from './tf-types.js';
import { TrainingError } from './train.js';

/** What train() takes: `load` puts the weights into the freshly built model; `from` names their source. */
export interface InitialWeights {
  from: string;
  load: (model: LayersModel) => Promise<void>;
}

function shapes(layer: LayersModel['layers'][number]): string[] {
  return layer.getWeights().map((w) => `${w.shape.join('x')}`);
}

/** Copies `source`'s weights into `target`; throws INIT_WEIGHTS_MISMATCH naming the first layer that does not fit. */
export function copyWeights(target: LayersModel, source: LayersModel, from: string): void {
  if (target.layers.length !== source.layers.length) {
    throw new TrainingError(
      'INIT_WEIGHTS_MISMATCH',
      `the initial weights in ${from} are for a model of ${source.layers.length} layers; this model has ${target.layers.length}. Start from fresh weights or use the imported model's layers`,
    );
  }
  // Checked in full before anything is copied, so a mismatch never leaves a half-initialized model.
  target.layers.forEach((layer, i) => {
    const other = source.layers[i];
    const name = `layer ${i + 1} (${layer.name}, ${layer.getClassName()})`;
    if (layer.getClassName() !== other.getClassName()) {
      throw new TrainingError('INIT_WEIGHTS_MISMATCH', `${name}: the initial weights in ${from} have a ${other.getClassName()} layer here`);
    }
    const want = shapes(layer);
    const have = shapes(other);
    if (want.join() !== have.join()) {
      throw new TrainingError(
        'INIT_WEIGHTS_MISMATCH',
        `${name}: the initial weights in ${from} have shapes [${have.join(', ')}], this model needs [${want.join(', ')}]`,
      );
    }
  });
  target.layers.forEach((layer, i) => {
    const weights = source.layers[i].getWeights();
    if (weights.length) layer.setWeights(weights);
  });
}

/** Initial weights read from a saved model folder (model.json + weights.bin, as `layerbench import` writes). */
export function weightsFromFolder(tf: TF, dir: string): InitialWeights {
  const load = async (model: LayersModel): Promise<void> => {
    let source: LayersModel;
    try {
      source = await loadModelFromDir(tf, dir);
    } catch (e) {
      throw new TrainingError('INIT_WEIGHTS_UNREADABLE', `cannot read the initial weights in ${dir}: ${(e as Error).message}`);
    }
    try {
      copyWeights(model, source, dir);
    } finally {
      source.dispose();
    }
  };
  return { from: dir, load };
}
