/**
 * The optimizer state a `.keras` file carries next to the weights: what Keras builds for the compiled model,
 * variable for variable, so loading it matches and Keras does not warn about skipping it. A run's `last`
 * checkpoint gives the real state (step count and slots), so training continued in Keras carries on where
 * Layerbench stopped; a model without one (an import, a bare model folder) gets a fresh optimizer's (step 0,
 * zero slots). Checked against Keras 3.15: Adam keeps momentum and velocity per trainable variable,
 * interleaved; SGD with momentum one momentum each (none without); RMSprop every velocity, then every
 * momentum when it has one.
 */
import type { LayerSpec, TrainingSettings } from '../../common/spec.js';
import type { SavedOptimizerState } from './optimizer-checkpoint.js';
import { OptimizerStateError } from './optimizer-checkpoint.js';
import { layerVarNames, trainableVarCount, type WeightArray } from './weights.js';

/** The trainable variables of each layer, in the model's order (the moving statistics are not trainable). */
export function trainableShapes(layers: { layer: LayerSpec; arrays: WeightArray[] }[]): number[][] {
  return layers.flatMap(({ layer, arrays }) => arrays.slice(0, trainableVarCount(layer)).map((a) => a.shape));
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

/** Chunks of at most ~1M values, so slots (all zeros for a fresh optimizer) compress without one huge buffer per chunk. */
export function chunkShape(shape: number[]): number[] {
  const rest = shape.slice(1).reduce((a, b) => a * b, 1);
  return [Math.max(1, Math.min(shape[0], Math.floor(2 ** 20 / Math.max(1, rest)))), ...shape.slice(1)];
}

/** TensorFlow.js's class name for each optimizer Layerbench trains with. */
function tfjsClassName(training: TrainingSettings): string {
  if (training.optimizer === 'adam') return 'Adam';
  if (training.optimizer === 'rmsprop') return 'RMSProp';
  return training.momentum > 0 ? 'Momentum' : 'SGD';
}

type OrderedLayer = { name: string; layer: LayerSpec; arrays: WeightArray[] };

/**
 * Keras's step count and slot arrays (in optimizerSlotShapes' order) from Layerbench's saved state, or a
 * fresh optimizer's when there is none. Throws OptimizerStateError when the state belongs to another
 * optimizer or model.
 */
export function kerasOptimizerState(
  training: TrainingSettings,
  layers: OrderedLayer[],
  saved?: SavedOptimizerState,
): { iterations: number; slots: WeightArray[] } {
  const shapes = optimizerSlotShapes(training, trainableShapes(layers));
  if (!saved) return { iterations: 0, slots: shapes.map((shape) => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) })) };
  const expected = tfjsClassName(training);
  if (saved.className !== expected) {
    throw new OptimizerStateError(`${saved.file} holds ${saved.className} state, but the experiment trains with ${expected}`, saved.file);
  }
  const variables = layers.flatMap(({ name, layer, arrays }) =>
    layerVarNames(layer)
      .slice(0, trainableVarCount(layer))
      .map((v, i) => ({ key: `${name}/${v}`, shape: arrays[i].shape })),
  );
  const slot = (v: (typeof variables)[number], name: string): WeightArray => {
    const found = saved.slots.get(v.key)?.get(name);
    if (!found || found.shape.join() !== v.shape.join()) {
      const had = found ? ` has shape [${found.shape.join(', ')}], the model [${v.shape.join(', ')}]` : ' is missing';
      throw new OptimizerStateError(`${saved.file}: the optimizer's "${name}" for "${v.key}"${had}`, saved.file);
    }
    return found;
  };
  const slots = (() => {
    switch (training.optimizer) {
      case 'adam':
        return variables.flatMap((v) => [slot(v, 'm'), slot(v, 'v')]);
      case 'sgd': {
        // TensorFlow.js accumulates gradients (a = m*a + g; w -= lr*a); Keras the step itself (a = m*a - lr*g; w += a).
        const scale = -training.learningRate;
        return training.momentum > 0 ? variables.map((v) => scaled(slot(v, 'momentum'), scale)) : [];
      }
      case 'rmsprop':
        return [...variables.map((v) => slot(v, 'rms')), ...(training.momentum > 0 ? variables.map((v) => slot(v, 'momentum')) : [])];
      default: {
        const never: never = training.optimizer;
        throw new Error(`Unsupported optimizer ${String(never)}`);
      }
    }
  })();
  return { iterations: saved.iterations, slots };
}

function scaled(a: WeightArray, factor: number): WeightArray {
  return { shape: a.shape, data: a.data.map((x) => x * factor) };
}
