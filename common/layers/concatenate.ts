/** Concatenate: 2 to 8 inputs joined along the last axis (Keras's Concatenate): channels add up, vectors join. */
import { z } from 'zod';
import { mergeShape } from './merge.js';
import { ImportFault, type LayerDescriptor } from './descriptor.js';
import { commonLayerFields, mergeInputsSchema, named, NO_PARAMS } from './helpers.js';

export const concatenateSchema = z.strictObject({
  type: z.literal('Concatenate'),
  // Only the last (channel) axis, Keras's default.
  axis: z.literal(-1).optional(),
  ...commonLayerFields,
  inputs: mergeInputsSchema,
});
export type ConcatenateLayer = z.output<typeof concatenateSchema>;

export const concatenate: LayerDescriptor<ConcatenateLayer> = {
  type: 'Concatenate',
  schema: concatenateSchema,
  group: 'Merge',
  description: 'Stacks channels of layers',
  newLayer: () => ({ type: 'Concatenate', inputs: [] }),
  fields: [],
  counts: () => [],
  outputShape: (layer, inputs, names) => mergeShape(layer.type, inputs, names),
  params: () => NO_PARAMS,
  keras: {
    className: 'Concatenate',
    baseName: 'concatenate',
    config: (layer) => ({ axis: layer.axis ?? -1 }),
    importClasses: ['Concatenate'],
    fromConfig: (c) =>
      c.axis === undefined || c.axis === -1
        ? { layer: named(c, { type: 'Concatenate' as const, inputs: [] }), storedVars: [] }
        : new ImportFault(`axis ${JSON.stringify(c.axis)} is not supported (only the last axis, -1)`),
    weights: () => ({ trainable: [], nonTrainable: [] }),
    pythonArgs: () => [],
  },
};
