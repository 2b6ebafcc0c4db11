/**
 * What a new layer of each type starts as when added from the palette, and the palette's descriptions and
 * groups: all from the layer types' descriptors (common/layers/). The defaults are the ones the seed CNN
 * uses, so a layer added by hand fits a typical model.
 */
import { LAYERS, LAYER_GROUPS, LAYER_TYPES } from '../../../common/layers/index.js';
import type { LayerSpec, LayerType } from '../../../common/spec.js';

export function newLayer(type: LayerType, numClasses = 10): LayerSpec {
  return LAYERS[type].newLayer(numClasses);
}

export const LAYER_DESCRIPTIONS = Object.fromEntries(LAYER_TYPES.map((t) => [t, LAYERS[t].description])) as Record<LayerType, string>;

export { LAYER_GROUPS };
