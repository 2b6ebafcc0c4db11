/**
 * tfjs-layers 4.22's SeparableConv2D leaves its depth multiplier out of the saved topology, so a model
 * folder loaded back would build a depthwise kernel of multiplier 1 and refuse its own weights. The saved
 * topology gets it back from the live layer, under the name tfjs reads (depth_multiplier).
 */
import type { LayersModel } from './tf-types.js';

interface TopologyLayer {
  class_name?: unknown;
  config?: Record<string, unknown>;
}

export function completeTopology(topology: unknown, model: LayersModel): void {
  const layers = (topology as { config?: { layers?: TopologyLayer[] } } | null)?.config?.layers;
  if (!Array.isArray(layers)) return;
  for (const entry of layers) {
    const config = entry.config;
    if (entry.class_name !== 'SeparableConv2D' || !config || config.depth_multiplier !== undefined) continue;
    const live = model.layers.find((l) => l.name === config.name) as unknown as { depthMultiplier?: unknown } | undefined;
    if (typeof live?.depthMultiplier === 'number') config.depth_multiplier = live.depthMultiplier;
  }
}
