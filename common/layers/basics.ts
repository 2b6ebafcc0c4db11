/**
 * The values layer descriptors share: activation functions, paddings, sizes and Keras's defaults. They live
 * here rather than in spec.ts so the descriptors can use them while spec.ts derives its layer types from the
 * descriptors (spec.ts re-exports them).
 */
export const ACTIVATIONS = [
  'linear',
  'relu',
  'relu6',
  'elu',
  'selu',
  'sigmoid',
  'tanh',
  'softmax',
  'softplus',
  'softsign',
  'swish',
] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export const PADDINGS = ['valid', 'same'] as const;
export type Padding = (typeof PADDINGS)[number];

/** A size given as one number (square) or as [height, width]. */
export type Size2 = number | [number, number];

export function pair(size: Size2): [number, number] {
  return typeof size === 'number' ? [size, size] : [size[0], size[1]];
}

/** What an omitted optional layer field means: Keras's defaults, used by summaries, the engine and exports alike. */
export const LAYER_DEFAULTS = {
  padding: 'valid' as Padding,
  strides: 1,
  dilationRate: 1,
  depthMultiplier: 1,
  poolSize: 2,
  momentum: 0.99,
  epsilon: 1e-3,
} as const;
