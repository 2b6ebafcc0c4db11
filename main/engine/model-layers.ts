/**
 * A tfjs model's layers in its spec's order. A Sequential model lists them so; a functional one (a graph
 * spec) starts with its InputLayer and orders the rest by depth, so code that pairs spec layers with model
 * layers finds them by name (the names buildModel gives them, `layerNames`).
 */
import { layerNames } from '../../common/summarize.js';
import type { ModelSpec } from '../../common/spec.js';
import type { LayersModel } from './tf-types.js';

export type ModelLayer = LayersModel['layers'][number];

/** The model's layers, one per spec layer in spec order; throws naming the first spec layer it lacks. */
export function layersInSpecOrder(model: LayersModel, spec: ModelSpec): ModelLayer[] {
  const byName = new Map(model.layers.map((l) => [l.name, l]));
  const own = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  if (own.length !== spec.layers.length) throw new Error(`the model has ${own.length} layers, the spec ${spec.layers.length}`);
  return layerNames(spec.layers).map((name, i) => {
    const layer = byName.get(name);
    if (!layer) throw new Error(`the model has no layer named "${name}" (layers[${i}] of the spec)`);
    return layer;
  });
}
