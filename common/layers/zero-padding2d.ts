/** ZeroPadding2D: rows and columns of zeros around an image. */
import { z } from 'zod';
import { compactSides, sidesOf } from './basics.js';
import { ImportFault, type LayerDescriptor } from './descriptor.js';
import { channelsLast, commonLayerFields, int, named, needImage, NO_PARAMS } from './helpers.js';

const PADDING_MAX = 64;
const side = int(0, PADDING_MAX);

/** As Keras takes it: one number for every side, [rows, columns], or [[top, bottom], [left, right]]. */
export const zeroPaddingSchema = z.union([side, z.tuple([side, side]), z.tuple([z.tuple([side, side]), z.tuple([side, side])])]);

export const zeroPadding2dSchema = z.strictObject({
  type: z.literal('ZeroPadding2D'),
  padding: zeroPaddingSchema.optional(),
  ...commonLayerFields,
});
export type ZeroPadding2DLayer = z.output<typeof zeroPadding2dSchema>;

/** Keras's default: one row or column on every side. */
export const DEFAULT_PADDING = 1;

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
      allowed: `whole numbers from 0 to ${PADDING_MAX} for the top, bottom, left and right`,
      kind: 'sides',
      min: 0,
      max: PADDING_MAX,
      placeholder: String(DEFAULT_PADDING),
    },
  ],
  counts: () => [],
  outputShape(layer, [input]) {
    const bad = needImage(layer.type, input);
    if (bad) return bad;
    const [[t, b], [l, r]] = sidesOf(layer.padding ?? DEFAULT_PADDING);
    return [input[0] + t + b, input[1] + l + r, input[2]];
  },
  params: () => NO_PARAMS,
  keras: {
    className: 'ZeroPadding2D',
    baseName: 'zero_padding2d',
    config: (layer) => ({ padding: sidesOf(layer.padding ?? DEFAULT_PADDING), data_format: 'channels_last' }),
    importClasses: ['ZeroPadding2D'],
    fromConfig(c) {
      const bad = channelsLast(c);
      if (bad) return bad;
      const parsed = zeroPaddingSchema.safeParse(c.padding ?? DEFAULT_PADDING);
      if (!parsed.success)
        return new ImportFault(`padding ${JSON.stringify(c.padding)} is not supported (whole numbers 0 to ${PADDING_MAX})`);
      return { layer: named(c, { type: 'ZeroPadding2D' as const, padding: compactSides(sidesOf(parsed.data)) }), storedVars: [] };
    },
    weights: () => ({ trainable: [], nonTrainable: [] }),
    pythonArgs: (layer) => {
      const [[t, b], [l, r]] = sidesOf(layer.padding ?? DEFAULT_PADDING);
      if (t === b && l === r && t === l) return t === DEFAULT_PADDING ? [] : [`padding=${t}`];
      return [`padding=((${t}, ${b}), (${l}, ${r}))`];
    },
  },
};
