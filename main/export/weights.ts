/**
 * A model's weights as plain arrays, keyed by layer name and variable name, independent of where they came
 * from (a TensorFlow.js folder, a Keras file) and where they go. Variable names are Keras's: kernel, bias,
 * gamma, beta, moving_mean, moving_variance.
 */
import type { LayerSpec, ModelSpec } from '../../common/spec.js';
import { layerNames } from '../../common/summarize.js';
import { descriptorOf } from '../../common/layers/index.js';

export interface WeightArray {
  shape: number[];
  data: Float32Array;
}

/** layer name -> variable name -> values. */
export type ModelWeights = Map<string, Map<string, WeightArray>>;

/**
 * The variables each supported layer holds, in the order Keras 3 stores them (`vars/0`, `vars/1` ...) and
 * TensorFlow.js's `layer.setWeights` takes them.
 */
export function layerVarNames(layer: LayerSpec): string[] {
  const { trainable, nonTrainable } = descriptorOf(layer).keras.weights(layer);
  return [...trainable, ...nonTrainable];
}

/** How many of a layer's variables (the first ones) the optimizer trains. */
export function trainableVarCount(layer: LayerSpec): number {
  return descriptorOf(layer).keras.weights(layer).trainable.length;
}

export class WeightsError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'WeightsError';
  }
}

/**
 * The arrays of every layer in Keras order, checked to be all there with the expected sizes, so an export
 * never writes a file Keras would refuse, and an import never loads a model with missing weights.
 */
export function orderedLayerWeights(
  spec: ModelSpec,
  weights: ModelWeights,
  file: string,
): { name: string; layer: LayerSpec; arrays: WeightArray[] }[] {
  const names = layerNames(spec.layers);
  return spec.layers.map((layer, i) => {
    const name = names[i];
    const have = weights.get(name);
    const arrays = layerVarNames(layer).map((v) => {
      const w = have?.get(v);
      if (!w) throw new WeightsError(`${file}: layer ${i + 1} "${name}" (${layer.type}) has no "${v}" weights`, file);
      const size = w.shape.reduce((a, b) => a * b, 1);
      if (size !== w.data.length) {
        throw new WeightsError(`${file}: "${name}/${v}" has shape [${w.shape.join(', ')}] but ${w.data.length} values`, file);
      }
      return w;
    });
    return { name, layer, arrays };
  });
}
