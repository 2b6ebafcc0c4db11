/** GlobalAveragePooling2D: one value per channel, the image's average. */
import { z } from 'zod';
import type { LayerDescriptor } from './descriptor.js';
import { ImportFault } from './descriptor.js';
import { channelsLast, commonLayerFields, named, needImage, NO_PARAMS } from './helpers.js';

export const globalAveragePooling2dSchema = z.strictObject({ type: z.literal('GlobalAveragePooling2D'), ...commonLayerFields });
export type GlobalAveragePooling2DLayer = z.output<typeof globalAveragePooling2dSchema>;

export const globalAveragePooling2d: LayerDescriptor<GlobalAveragePooling2DLayer> = {
  type: 'GlobalAveragePooling2D',
  schema: globalAveragePooling2dSchema,
  group: 'Pooling',
  description: 'One value per channel',
  newLayer: () => ({ type: 'GlobalAveragePooling2D' }),
  fields: [],
  counts: () => [],
  outputShape(layer, [input]) {
    return needImage(layer.type, input) ?? [input[2]];
  },
  params: () => NO_PARAMS,
  keras: {
    className: 'GlobalAveragePooling2D',
    baseName: 'global_average_pooling2d',
    config: () => ({ data_format: 'channels_last', keepdims: false }),
    importClasses: ['GlobalAveragePooling2D'],
    fromConfig(c) {
      if (c.keepdims === true) return new ImportFault('keepdims true is not supported');
      return channelsLast(c) ?? { layer: named(c, { type: 'GlobalAveragePooling2D' as const }), storedVars: [] };
    },
    weights: () => ({ trainable: [], nonTrainable: [] }),
    pythonArgs: () => [],
  },
};
