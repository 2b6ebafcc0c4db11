/** LeakyReLU: relu that lets a fraction (the negative slope) of negative values through. */
import { z } from 'zod';
import { ImportFault, type LayerDescriptor } from './descriptor.js';
import { commonLayerFields, named, NO_PARAMS } from './helpers.js';

/** Keras's LeakyReLU layer default (the `leaky_relu` activation string uses 0.2). */
const NEGATIVE_SLOPE = 0.3;

export const leakyReluSchema = z.strictObject({
  type: z.literal('LeakyReLU'),
  negativeSlope: z.number().min(0).max(1).optional(),
  ...commonLayerFields,
});
export type LeakyReLULayer = z.output<typeof leakyReluSchema>;

export const negativeSlopeOf = (layer: LeakyReLULayer) => layer.negativeSlope ?? NEGATIVE_SLOPE;

export const leakyRelu: LayerDescriptor<LeakyReLULayer> = {
  type: 'LeakyReLU',
  schema: leakyReluSchema,
  group: 'Classifier',
  description: 'Relu with a negative slope',
  newLayer: () => ({ type: 'LeakyReLU' }),
  fields: [
    {
      key: 'negativeSlope',
      label: 'Negative slope',
      allowed: 'a number from 0 to 1',
      kind: 'number',
      min: 0,
      max: 1,
      optional: true,
      placeholder: String(NEGATIVE_SLOPE),
      width: '96px',
    },
  ],
  counts: () => [],
  outputShape: (_layer, [input]) => input,
  params: () => NO_PARAMS,
  keras: {
    className: 'LeakyReLU',
    baseName: 'leaky_re_lu',
    config: (layer) => ({ negative_slope: negativeSlopeOf(layer) }),
    importClasses: ['LeakyReLU'],
    fromConfig(c) {
      // Keras 2 files call it alpha.
      const slope = c.negative_slope ?? c.alpha ?? NEGATIVE_SLOPE;
      if (typeof slope !== 'number' || slope < 0 || slope > 1)
        return new ImportFault(`negative_slope ${JSON.stringify(slope)} is not supported (a number from 0 to 1)`);
      return { layer: named(c, { type: 'LeakyReLU' as const, negativeSlope: slope }), storedVars: [] };
    },
    weights: () => ({ trainable: [], nonTrainable: [] }),
    pythonArgs: (layer) => (negativeSlopeOf(layer) === NEGATIVE_SLOPE ? [] : [`negative_slope=${negativeSlopeOf(layer)}`]),
  },
};
