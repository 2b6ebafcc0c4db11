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
  'gelu',
  'leaky_relu',
] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export const PADDINGS = ['valid', 'same'] as const;
export type Padding = (typeof PADDINGS)[number];

/** A size given as one number (square) or as [height, width]. */
export type Size2 = number | [number, number];

export function pair(size: Size2): [number, number] {
  return typeof size === 'number' ? [size, size] : [size[0], size[1]];
}

/** Keras's `leaky_relu` activation's negative slope (its LeakyReLU layer defaults to 0.3 instead). */
export const KERAS_LEAKY_RELU_SLOPE = 0.2;

/** Four sides as Keras takes them: one number for all, [rows, columns], or [[top, bottom], [left, right]]. */
export type Sides = number | [number, number] | [[number, number], [number, number]];

/** [[top, bottom], [left, right]] from any form. */
export function sidesOf(sides: Sides): [[number, number], [number, number]] {
  if (typeof sides === 'number')
    return [
      [sides, sides],
      [sides, sides],
    ];
  if (typeof sides[0] === 'number') {
    const [h, w] = sides as [number, number];
    return [
      [h, h],
      [w, w],
    ];
  }
  const [[t, b], [l, r]] = sides as [[number, number], [number, number]];
  return [
    [t, b],
    [l, r],
  ];
}

/** The shortest form of the same sides, as a person would write it. */
export function compactSides(sides: [[number, number], [number, number]]): Sides {
  const [[t, b], [l, r]] = sides;
  if (t === b && l === r) return t === l ? t : [t, l];
  return sides;
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
