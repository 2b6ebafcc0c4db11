/** GlobalMaxPooling2D: the largest value of each channel, an image to a vector. */
import { z } from 'zod';
import { ImportFault, type LayerDescriptor } from './descriptor.js';
import { channelsLast, commonLayerFields, named, needImage, NO_PARAMS } from './helpers.js';

export const globalMaxPooling2dSchema = z.strictObject({ type: z.literal('GlobalMaxPooling2D'), ...commonLayerFields });
export type GlobalMaxPooling2DLayer = z.output<typeof globalMaxPooling2dSchema>;

export const globalMaxPooling2d: LayerDescriptor<GlobalMaxPooling2DLayer> = {
  type: 'GlobalMaxPooling2D',
  schema: globalMaxPooling2dSchema,
  group: 'Pooling',
  description: 'Largest value per channel',
  newLayer: () => ({ type: 'GlobalMaxPooling2D' }),
  fields: [],
  counts: () => [],
  outputShape(layer, [input]) {
    return needImage(layer.type, input) ?? [input[2]];
  },
  params: () => NO_PARAMS,
  keras: {
    className: 'GlobalMaxPooling2D',
    baseName: 'global_max_pooling2d',
    config: () => ({ data_format: 'channels_last', keepdims: false }),
    importClasses: ['GlobalMaxPooling2D'],
    fromConfig(c) {
      if (c.keepdims === true) return new ImportFault('keepdims true is not supported');
      return channelsLast(c) ?? { layer: named(c, { type: 'GlobalMaxPooling2D' as const }), storedVars: [] };
    },
    weights: () => ({ trainable: [], nonTrainable: [] }),
    pythonArgs: () => [],
  },
};
