/** Flatten: an image as one vector. */
import { z } from 'zod';
import type { LayerDescriptor } from './descriptor.js';
import { channelsLast, commonLayerFields, named, NO_PARAMS } from './helpers.js';

export const flattenSchema = z.strictObject({ type: z.literal('Flatten'), ...commonLayerFields });
export type FlattenLayer = z.output<typeof flattenSchema>;

export const flatten: LayerDescriptor<FlattenLayer> = {
  type: 'Flatten',
  schema: flattenSchema,
  group: 'Classifier',
  description: 'Image to vector',
  newLayer: () => ({ type: 'Flatten' }),
  fields: [],
  counts: () => [],
  outputShape: (_layer, [input]) => (input.length === 1 ? input : [input.reduce((a, b) => a * b, 1)]),
  params: () => NO_PARAMS,
  keras: {
    className: 'Flatten',
    baseName: 'flatten',
    config: () => ({ data_format: 'channels_last' }),
    importClasses: ['Flatten'],
    fromConfig: (c) => channelsLast(c) ?? { layer: named(c, { type: 'Flatten' as const }), storedVars: [] },
    weights: () => ({ trainable: [], nonTrainable: [] }),
    pythonArgs: () => [],
  },
};
