/** LayerNormalization: normalizes each example over its last axis (channels or features), then scales and shifts. */
import { z } from 'zod';
import { LIMITS } from '../limits.js';
import { ImportFault, type LayerDescriptor } from './descriptor.js';
import { commonLayerFields, kerasInitializer, named, pyArgs } from './helpers.js';

export const layerNormalizationSchema = z.strictObject({
  type: z.literal('LayerNormalization'),
  epsilon: z.number().gt(LIMITS.epsilon.minExclusive).max(LIMITS.epsilon.max).optional(),
  /** Learn a shift (beta); default on. */
  center: z.boolean().optional(),
  /** Learn a scale (gamma); default on. */
  scale: z.boolean().optional(),
  ...commonLayerFields,
});
export type LayerNormalizationLayer = z.output<typeof layerNormalizationSchema>;

/** Keras 3's default epsilon for LayerNormalization. */
const EPSILON = 1e-3;

function weightsOf(layer: { center?: boolean; scale?: boolean }): string[] {
  return [...(layer.scale === false ? [] : ['gamma']), ...(layer.center === false ? [] : ['beta'])];
}

export const layerNormalization: LayerDescriptor<LayerNormalizationLayer> = {
  type: 'LayerNormalization',
  schema: layerNormalizationSchema,
  group: 'Regularization',
  description: 'Normalizes each example',
  newLayer: () => ({ type: 'LayerNormalization' }),
  fields: [
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
    { key: 'center', label: 'Center', allowed: 'on or off', kind: 'toggle', title: 'Learn a shift (beta) per channel' },
    { key: 'scale', label: 'Scale', allowed: 'on or off', kind: 'toggle', title: 'Learn a scale (gamma) per channel' },
  ],
  counts: () => [],
  outputShape: (_layer, [input]) => input,
  params(layer, [input]) {
    return { trainable: weightsOf(layer).length * input[input.length - 1], nonTrainable: 0 };
  },
  keras: {
    className: 'LayerNormalization',
    baseName: 'layer_normalization',
    config: (layer) => ({
      axis: -1,
      epsilon: layer.epsilon ?? EPSILON,
      center: layer.center !== false,
      scale: layer.scale !== false,
      rms_scaling: false,
      beta_initializer: kerasInitializer('Zeros'),
      gamma_initializer: kerasInitializer('Ones'),
      beta_regularizer: null,
      gamma_regularizer: null,
      beta_constraint: null,
      gamma_constraint: null,
    }),
    importClasses: ['LayerNormalization'],
    fromConfig(c) {
      const axis = Array.isArray(c.axis) && c.axis.length === 1 ? (c.axis[0] as unknown) : (c.axis ?? -1);
      // Keras writes the resolved axis (3 for an image, 1 for a vector) as well as -1; both are the last one.
      if (axis !== -1 && axis !== 3 && axis !== 1)
        return new ImportFault(`axis ${JSON.stringify(c.axis)} is not supported (only the last axis, -1)`);
      if (c.rms_scaling === true) return new ImportFault('rms_scaling true is not supported');
      const layer = named(c, {
        type: 'LayerNormalization' as const,
        epsilon: Number(c.epsilon ?? EPSILON),
        center: c.center !== false,
        scale: c.scale !== false,
      });
      return { layer, storedVars: weightsOf(layer) };
    },
    weights: (layer) => ({ trainable: weightsOf(layer), nonTrainable: [] }),
    pythonArgs(layer) {
      const p = pyArgs();
      p.add('epsilon', String(layer.epsilon ?? EPSILON), (layer.epsilon ?? EPSILON) === EPSILON);
      p.add('center', 'False', layer.center !== false);
      p.add('scale', 'False', layer.scale !== false);
      return p.args;
    },
  },
};
