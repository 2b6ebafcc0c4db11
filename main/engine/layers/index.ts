/**
 * The engine's part of every layer type (see engine-layer.ts), keyed like common/layers/'s LAYERS: the
 * compiler refuses a layer type without one.
 */
import { type LayerOf, type LayerSpec, type LayerType } from '../../../common/layers/index.js';
import { activationEngine } from './activation.js';
import { averagePooling2dEngine } from './average-pooling2d.js';
import { batchNormalizationEngine } from './batch-normalization.js';
import { conv2dEngine } from './conv2d.js';
import { denseEngine } from './dense.js';
import { dropoutEngine } from './dropout.js';
import type { EngineLayer } from './engine-layer.js';
import { flattenEngine } from './flatten.js';
import { globalAveragePooling2dEngine } from './global-average-pooling2d.js';
import { globalMaxPooling2dEngine } from './global-max-pooling2d.js';
import { layerNormalizationEngine } from './layer-normalization.js';
import { leakyReluEngine } from './leaky-relu.js';
import { maxPooling2dEngine } from './max-pooling2d.js';
import { zeroPadding2dEngine } from './zero-padding2d.js';

export const ENGINE_LAYERS: { readonly [T in LayerType]: EngineLayer<LayerOf<T>> } = {
  Conv2D: conv2dEngine,
  ZeroPadding2D: zeroPadding2dEngine,
  MaxPooling2D: maxPooling2dEngine,
  AveragePooling2D: averagePooling2dEngine,
  GlobalAveragePooling2D: globalAveragePooling2dEngine,
  GlobalMaxPooling2D: globalMaxPooling2dEngine,
  Dropout: dropoutEngine,
  BatchNormalization: batchNormalizationEngine,
  LayerNormalization: layerNormalizationEngine,
  Flatten: flattenEngine,
  Dense: denseEngine,
  Activation: activationEngine,
  LeakyReLU: leakyReluEngine,
};

/** The engine part of a layer, typed for that layer. */
export function engineOf<L extends LayerSpec>(layer: L): EngineLayer<L> {
  return ENGINE_LAYERS[layer.type] as unknown as EngineLayer<L>;
}

export type { EngineLayer, GraphLayerArgs, TfLayer, TfLayerBase } from './engine-layer.js';
