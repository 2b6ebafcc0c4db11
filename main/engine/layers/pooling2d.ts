/** What the pooling layers share in the engine: tfjs's config and the graph's window. */
import { LAYER_DEFAULTS, pair } from '../../../common/layers/basics.js';
import type { AveragePooling2DLayer } from '../../../common/layers/average-pooling2d.js';
import type { MaxPooling2DLayer } from '../../../common/layers/max-pooling2d.js';
import type { Window } from '../graph/ops.js';
import { graphPadding, type TfLayerBase } from './engine-layer.js';

type PoolingLayer = MaxPooling2DLayer | AveragePooling2DLayer;

export function tfjsPoolConfig(layer: PoolingLayer, base: TfLayerBase) {
  const poolSize = pair(layer.poolSize ?? LAYER_DEFAULTS.poolSize);
  return { ...base, poolSize, strides: pair(layer.strides ?? poolSize), padding: layer.padding ?? LAYER_DEFAULTS.padding };
}

export function poolWindow(layer: PoolingLayer): Window {
  const size = pair(layer.poolSize ?? LAYER_DEFAULTS.poolSize);
  return { size, strides: pair(layer.strides ?? size), padding: graphPadding(layer.padding, LAYER_DEFAULTS.padding) };
}
