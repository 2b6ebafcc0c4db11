/**
 * The optimizer state a `.keras` file carries next to the weights. Layerbench does not keep optimizer state
 * across a save, so the export holds a fresh optimizer's (iteration 0, zero moments): what Keras builds for
 * the compiled model, variable for variable, so loading it matches and Keras does not warn about skipping it.
 * Checked against Keras 3.15: Adam keeps momentum and velocity per trainable variable, interleaved; SGD with
 * momentum one momentum each (none without); RMSprop every velocity, then every momentum when it has one.
 */
import type { TrainingSettings } from '../../common/spec.js';
import type { WeightArray } from './weights.js';

/** The trainable variables of each layer, in the model's order (the moving statistics are not trainable). */
export function trainableShapes(layers: { layer: { type: string }; arrays: WeightArray[] }[]): number[][] {
  return layers.flatMap(({ layer, arrays }) => (layer.type === 'BatchNormalization' ? arrays.slice(0, 2) : arrays).map((a) => a.shape));
}

/** Shapes of the optimizer's slot variables after its iteration count and learning rate. */
export function optimizerSlotShapes(training: TrainingSettings, trainable: number[][]): number[][] {
  switch (training.optimizer) {
    case 'adam':
      return trainable.flatMap((s) => [s, s]);
    case 'sgd':
      return training.momentum > 0 ? trainable : [];
    case 'rmsprop':
      return training.momentum > 0 ? [...trainable, ...trainable] : trainable;
    default: {
      const never: never = training.optimizer;
      throw new Error(`Unsupported optimizer ${String(never)}`);
    }
  }
}

/** Chunks of at most ~1M values, so zero-filled slots compress without one huge buffer per chunk. */
export function chunkShape(shape: number[]): number[] {
  const rest = shape.slice(1).reduce((a, b) => a * b, 1);
  return [Math.max(1, Math.min(shape[0], Math.floor(2 ** 20 / Math.max(1, rest)))), ...shape.slice(1)];
}
