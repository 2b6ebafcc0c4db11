/** Add: the element-wise sum of 2 to 8 inputs of one shape (Keras's Add); no weights. */
import { z } from 'zod';
import { mergeShape } from './merge.js';
import type { LayerDescriptor } from './descriptor.js';
import { commonLayerFields, mergeInputsSchema, named, NO_PARAMS } from './helpers.js';

export const addSchema = z.strictObject({ type: z.literal('Add'), ...commonLayerFields, inputs: mergeInputsSchema });
export type AddLayer = z.output<typeof addSchema>;

export const add: LayerDescriptor<AddLayer> = {
  type: 'Add',
  schema: addSchema,
  group: 'Merge',
  description: 'Sums layers of one shape',
  // Its inputs are names the person gives (the editor's Inputs field); model-graph.ts says what is missing.
  newLayer: () => ({ type: 'Add', inputs: [] }),
  fields: [],
  counts: () => [],
  outputShape: (layer, inputs, names) => mergeShape(layer.type, inputs, names),
  params: () => NO_PARAMS,
  keras: {
    className: 'Add',
    baseName: 'add',
    config: () => ({}),
    importClasses: ['Add'],
    // The inputs come from the model's graph (functional-order.ts), filled in by spec-from-keras.ts.
    fromConfig: (c) => ({ layer: named(c, { type: 'Add' as const, inputs: [] }), storedVars: [] }),
    weights: () => ({ trainable: [], nonTrainable: [] }),
    pythonArgs: () => [],
  },
};
