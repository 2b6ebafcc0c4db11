/** Dropout: zeroes a random fraction of its input while training. */
import { z } from 'zod';
import { LIMITS } from '../limits.js';
import type { LayerDescriptor } from './descriptor.js';
import { commonLayerFields, named, NO_PARAMS } from './helpers.js';

export const dropoutSchema = z.strictObject({
  type: z.literal('Dropout'),
  rate: z.number().min(LIMITS.dropoutRate.min).lt(LIMITS.dropoutRate.maxExclusive),
  ...commonLayerFields,
});
export type DropoutLayer = z.output<typeof dropoutSchema>;

export const dropout: LayerDescriptor<DropoutLayer> = {
  type: 'Dropout',
  schema: dropoutSchema,
  group: 'Regularization',
  description: 'Randomly drops units',
  newLayer: () => ({ type: 'Dropout', rate: 0.25 }),
  fields: [
    {
      key: 'rate',
      label: 'Rate',
      allowed: `a fraction from ${LIMITS.dropoutRate.min} up to (not including) ${LIMITS.dropoutRate.maxExclusive}`,
      kind: 'slider',
      min: 0,
      max: 0.95,
      step: 0.05,
      ariaLabel: 'Dropout rate',
    },
  ],
  counts: () => [],
  outputShape: (_layer, [input]) => input,
  params: () => NO_PARAMS,
  keras: {
    className: 'Dropout',
    baseName: 'dropout',
    config: (layer) => ({ rate: layer.rate, seed: null, noise_shape: null }),
    importClasses: ['Dropout'],
    fromConfig: (c) => ({ layer: named(c, { type: 'Dropout' as const, rate: Number(c.rate ?? 0) }), storedVars: [] }),
    weights: () => ({ trainable: [], nonTrainable: [] }),
    pythonArgs: (layer) => [String(layer.rate)],
  },
};
