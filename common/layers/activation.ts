/** Activation: applies a function to every value (Keras's ReLU and Softmax layers import as one). */
import { z } from 'zod';
import { ACTIVATIONS } from './basics.js';
import { ImportFault, type LayerDescriptor } from './descriptor.js';
import { activationOf, activationSchema, kerasActivation, commonLayerFields, named, NO_PARAMS, py } from './helpers.js';

export const activationLayerSchema = z.strictObject({ type: z.literal('Activation'), activation: activationSchema, ...commonLayerFields });
export type ActivationLayer = z.output<typeof activationLayerSchema>;

export const activation: LayerDescriptor<ActivationLayer> = {
  type: 'Activation',
  schema: activationLayerSchema,
  group: 'Classifier',
  description: 'Applies a function',
  newLayer: () => ({ type: 'Activation', activation: 'relu' }),
  fields: [
    { key: 'activation', label: 'Function', allowed: 'one of the listed functions', kind: 'choice', options: ACTIVATIONS, width: '120px' },
  ],
  counts: () => [],
  outputShape: (_layer, [input]) => input,
  params: () => NO_PARAMS,
  keras: {
    className: 'Activation',
    baseName: 'activation',
    config: (layer) => ({ activation: kerasActivation(layer.activation) }),
    importClasses: ['Activation', 'ReLU', 'Softmax'],
    fromConfig(c, className) {
      const as = (a: ActivationLayer['activation']) => ({
        layer: named(c, { type: 'Activation' as const, activation: a }),
        storedVars: [],
      });
      if (className === 'ReLU') {
        if ((c.max_value ?? null) !== null || Number(c.negative_slope ?? 0) !== 0 || Number(c.threshold ?? 0) !== 0)
          return new ImportFault('ReLU with max_value, negative_slope or threshold is not supported');
        return as('relu');
      }
      if (className === 'Softmax')
        return c.axis === undefined || c.axis === -1 ? as('softmax') : new ImportFault(`axis ${JSON.stringify(c.axis)} is not supported`);
      const a = activationOf(c.activation);
      return a instanceof ImportFault ? a : as(a);
    },
    weights: () => ({ trainable: [], nonTrainable: [] }),
    pythonArgs: (layer) => [py(kerasActivation(layer.activation))],
  },
};
