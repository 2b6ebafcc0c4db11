/** ZeroPadding2D: rows and columns of zeros around an image. */
import { z } from 'zod';
import { ImportFault, type LayerDescriptor } from './descriptor.js';
import { channelsLast, commonLayerFields, int, named, needImage, NO_PARAMS } from './helpers.js';

const PADDING_MAX = 64;
const side = int(0, PADDING_MAX);

/** As Keras takes it: one number for every side, [rows, columns], or [[top, bottom], [left, right]]. */
export const zeroPaddingSchema = z.union([side, z.tuple([side, side]), z.tuple([z.tuple([side, side]), z.tuple([side, side])])]);
export type ZeroPadding = z.output<typeof zeroPaddingSchema>;

export const zeroPadding2dSchema = z.strictObject({
  type: z.literal('ZeroPadding2D'),
  padding: zeroPaddingSchema.optional(),
  ...commonLayerFields,
});
export type ZeroPadding2DLayer = z.output<typeof zeroPadding2dSchema>;

/** Keras's default: one row or column on every side. */
const DEFAULT_PADDING = 1;

/** [[top, bottom], [left, right]] from any form the spec allows. */
export function paddingSides(padding: ZeroPadding | undefined): [[number, number], [number, number]] {
  const p = padding ?? DEFAULT_PADDING;
  if (typeof p === 'number')
    return [
      [p, p],
      [p, p],
    ];
  if (typeof p[0] === 'number') {
    const [h, w] = p as [number, number];
    return [
      [h, h],
      [w, w],
    ];
  }
  const [[t, b], [l, r]] = p as [[number, number], [number, number]];
  return [
    [t, b],
    [l, r],
  ];
}

/** The shortest spec form of the same sides, as a person would write it. */
function compactPadding(sides: [[number, number], [number, number]]): ZeroPadding {
  const [[t, b], [l, r]] = sides;
  if (t === b && l === r) return t === l ? t : [t, l];
  return sides;
}

export const zeroPadding2d: LayerDescriptor<ZeroPadding2DLayer> = {
  type: 'ZeroPadding2D',
  schema: zeroPadding2dSchema,
  group: 'Convolution',
  description: 'Zeros around the image',
  newLayer: () => ({ type: 'ZeroPadding2D', padding: 1 }),
  fields: [
    {
      key: 'padding',
      label: 'Padding',
      allowed: `a whole number from 0 to ${PADDING_MAX}, or [rows, columns], or [[top, bottom], [left, right]]`,
      kind: 'size',
      min: 0,
      max: PADDING_MAX,
      optional: true,
      placeholder: '1',
    },
  ],
  counts: () => [],
  outputShape(layer, [input]) {
    const bad = needImage(layer.type, input);
    if (bad) return bad;
    const [[t, b], [l, r]] = paddingSides(layer.padding);
    return [input[0] + t + b, input[1] + l + r, input[2]];
  },
  params: () => NO_PARAMS,
  keras: {
    className: 'ZeroPadding2D',
    baseName: 'zero_padding2d',
    config: (layer) => ({ padding: paddingSides(layer.padding), data_format: 'channels_last' }),
    importClasses: ['ZeroPadding2D'],
    fromConfig(c) {
      const bad = channelsLast(c);
      if (bad) return bad;
      const parsed = zeroPaddingSchema.safeParse(c.padding ?? DEFAULT_PADDING);
      if (!parsed.success)
        return new ImportFault(`padding ${JSON.stringify(c.padding)} is not supported (whole numbers 0 to ${PADDING_MAX})`);
      return { layer: named(c, { type: 'ZeroPadding2D' as const, padding: compactPadding(paddingSides(parsed.data)) }), storedVars: [] };
    },
    weights: () => ({ trainable: [], nonTrainable: [] }),
    pythonArgs: (layer) => {
      const [[t, b], [l, r]] = paddingSides(layer.padding);
      if (t === b && l === r && t === l) return t === DEFAULT_PADDING ? [] : [`padding=${t}`];
      return [`padding=((${t}, ${b}), (${l}, ${r}))`];
    },
  },
};
