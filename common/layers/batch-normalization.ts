/** BatchNormalization: normalizes each channel by the batch's statistics while training, the moving ones after. */
import { z } from 'zod';
import { LIMITS } from '../limits.js';
import { LAYER_DEFAULTS } from './basics.js';
import { ImportFault, type LayerDescriptor } from './descriptor.js';
import { kerasInitializer, commonLayerFields, named, pyArgs } from './helpers.js';

export const batchNormalizationSchema = z.strictObject({
  type: z.literal('BatchNormalization'),
  momentum: z.number().min(LIMITS.momentumBN.min).max(LIMITS.momentumBN.max).optional(),
  epsilon: z.number().gt(LIMITS.epsilon.minExclusive).max(LIMITS.epsilon.max).optional(),
  ...commonLayerFields,
});
export type BatchNormalizationLayer = z.output<typeof batchNormalizationSchema>;

export const batchNormalization: LayerDescriptor<BatchNormalizationLayer> = {
  type: 'BatchNormalization',
  schema: batchNormalizationSchema,
  group: 'Regularization',
  description: 'Normalizes activations',
  newLayer: () => ({ type: 'BatchNormalization' }),
  fields: [
    {
      key: 'momentum',
      label: 'Momentum',
      allowed: `a number from ${LIMITS.momentumBN.min} to ${LIMITS.momentumBN.max}`,
      kind: 'number',
      min: 0,
      max: 1,
      optional: true,
      placeholder: '0.99',
    },
    {
      key: 'epsilon',
      label: 'Epsilon',
      allowed: `a number above ${LIMITS.epsilon.minExclusive} and at most ${LIMITS.epsilon.max}`,
      kind: 'number',
      min: 0,
      max: 1,
      optional: true,
      placeholder: '0.001',
    },
  ],
  counts: () => [],
  outputShape: (_layer, [input]) => input,
  params(_layer, [input]) {
    const c = input[input.length - 1];
    // gamma and beta train; the moving mean and variance are updated, not trained (as Keras counts them).
    return { trainable: 2 * c, nonTrainable: 2 * c };
  },
  keras: {
    className: 'BatchNormalization',
    baseName: 'batch_normalization',
    config: (layer) => ({
      axis: -1,
      momentum: layer.momentum ?? LAYER_DEFAULTS.momentum,
      epsilon: layer.epsilon ?? LAYER_DEFAULTS.epsilon,
      center: true,
      scale: true,
      beta_initializer: kerasInitializer('Zeros'),
      gamma_initializer: kerasInitializer('Ones'),
      moving_mean_initializer: kerasInitializer('Zeros'),
      moving_variance_initializer: kerasInitializer('Ones'),
      beta_regularizer: null,
      gamma_regularizer: null,
      beta_constraint: null,
      gamma_constraint: null,
      synchronized: false,
    }),
    importClasses: ['BatchNormalization'],
    fromConfig(c) {
      const axis = Array.isArray(c.axis) && c.axis.length === 1 ? (c.axis[0] as unknown) : (c.axis ?? -1);
      if (axis !== -1 && axis !== 3 && axis !== 1)
        return new ImportFault(`axis ${JSON.stringify(c.axis)} is not supported (only the channels axis, -1)`);
      // A layer without scale or center is the same as one with gamma 1 or beta 0: those are filled in.
      const storedVars: string[] = [];
      if (c.scale !== false) storedVars.push('gamma');
      if (c.center !== false) storedVars.push('beta');
      storedVars.push('moving_mean', 'moving_variance');
      const layer = named(c, {
        type: 'BatchNormalization' as const,
        momentum: Number(c.momentum ?? LAYER_DEFAULTS.momentum),
        epsilon: Number(c.epsilon ?? LAYER_DEFAULTS.epsilon),
      });
      return { layer, storedVars };
    },
    weights: () => ({ trainable: ['gamma', 'beta'], nonTrainable: ['moving_mean', 'moving_variance'] }),
    pythonArgs(layer) {
      const p = pyArgs();
      p.add(
        'momentum',
        String(layer.momentum ?? LAYER_DEFAULTS.momentum),
        (layer.momentum ?? LAYER_DEFAULTS.momentum) === LAYER_DEFAULTS.momentum,
      );
      p.add(
        'epsilon',
        String(layer.epsilon ?? LAYER_DEFAULTS.epsilon),
        (layer.epsilon ?? LAYER_DEFAULTS.epsilon) === LAYER_DEFAULTS.epsilon,
      );
      return p.args;
    },
  },
};
