/**
 * The engine's part of every layer type (see engine-layer.ts), keyed like common/layers/'s LAYERS: the
 * compiler refuses a layer type without one.
 */
import { type LayerOf, type LayerSpec, type LayerType } from '../../../common/layers/index.js';
import type { ModelSpec } from '../../../common/spec.js';
import { layerNames } from '../../../common/summarize.js';
import { activationEngine } from './activation.js';
import { addEngine } from './add.js';
import { averagePooling2dEngine } from './average-pooling2d.js';
import { batchNormalizationEngine } from './batch-normalization.js';
import { concatenateEngine } from './concatenate.js';
import { conv2dEngine } from './conv2d.js';
import { denseEngine } from './dense.js';
import { depthwiseConv2dEngine } from './depthwise-conv2d.js';
import { dropoutEngine } from './dropout.js';
import type { EngineLayer, MergeEngineLayer } from './engine-layer.js';
import { flattenEngine } from './flatten.js';
import { globalAveragePooling2dEngine } from './global-average-pooling2d.js';
import { maxPooling2dEngine } from './max-pooling2d.js';
import { separableConv2dEngine } from './separable-conv2d.js';

export const ENGINE_LAYERS: { readonly [T in LayerType]: EngineLayer<LayerOf<T>> | MergeEngineLayer<LayerOf<T>> } = {
  Conv2D: conv2dEngine,
  DepthwiseConv2D: depthwiseConv2dEngine,
  SeparableConv2D: separableConv2dEngine,
  MaxPooling2D: maxPooling2dEngine,
  AveragePooling2D: averagePooling2dEngine,
  GlobalAveragePooling2D: globalAveragePooling2dEngine,
  Dropout: dropoutEngine,
  BatchNormalization: batchNormalizationEngine,
  Flatten: flattenEngine,
  Dense: denseEngine,
  Activation: activationEngine,
  Add: addEngine,
  Concatenate: concatenateEngine,
};

/** The engine part of a layer, typed for that layer. */
export function engineOf<L extends LayerSpec>(layer: L): EngineLayer<L> | MergeEngineLayer<L> {
  return ENGINE_LAYERS[layer.type] as unknown as EngineLayer<L> | MergeEngineLayer<L>;
}

/**
 * Why tfjs's own step cannot train this model, naming the first layer at fault (e.g. a dilated Conv2D,
 * whose gradient tfjs lacks), or undefined when it can: checked before training on the eager step.
 */
export function eagerStepFault(spec: ModelSpec): string | undefined {
  const names = layerNames(spec.layers);
  for (const [i, layer] of spec.layers.entries()) {
    const why = engineOf(layer).eagerStepFault?.(layer);
    if (why) return `layer ${i + 1} "${names[i]}" (${layer.type}) cannot be trained on this backend: ${why}`;
  }
  return undefined;
}

export type { EngineLayer, GraphLayerArgs, MergeEngineLayer, TfLayer, TfLayerBase } from './engine-layer.js';
