/** What MaxPooling2D and AveragePooling2D share: the same fields, shapes and Keras mapping, another op. */
import { z } from 'zod';
import { LIMITS } from '../limits.js';
import { LAYER_DEFAULTS, pair, type Padding } from './basics.js';
import type { LayerDescriptor } from './descriptor.js';
import {
  channelsLast,
  compact,
  commonLayerFields,
  needImage,
  NO_PARAMS,
  named,
  paddingSchema,
  py,
  pyArgs,
  pyTuple,
  readSize2,
  size2,
  wholeNumber,
  windowed,
} from './helpers.js';
import { paddingField, stridesField } from './shared-fields.js';

export function poolingSchema<T extends 'MaxPooling2D' | 'AveragePooling2D'>(type: T) {
  return z.strictObject({
    type: z.literal(type),
    poolSize: size2(LIMITS.poolSize.min, LIMITS.poolSize.max).optional(),
    /** Defaults to poolSize, as in Keras. */
    strides: size2(LIMITS.strides.min, LIMITS.strides.max).optional(),
    padding: paddingSchema.optional(),
    ...commonLayerFields,
  });
}

type PoolingLayer<T extends string> = z.output<ReturnType<typeof poolingSchema>> & { type: T };

export function poolingDescriptor<T extends 'MaxPooling2D' | 'AveragePooling2D', L extends PoolingLayer<T>>(
  type: T,
  schema: z.ZodType<L>,
  description: string,
  baseName: string,
): LayerDescriptor<L> {
  return {
    type,
    schema,
    group: 'Pooling',
    description,
    newLayer: () => ({ type, poolSize: 2 }) as L,
    fields: [
      {
        key: 'poolSize',
        label: 'Pool',
        allowed: wholeNumber(LIMITS.poolSize.min, LIMITS.poolSize.max),
        kind: 'size',
        min: LIMITS.poolSize.min,
        max: LIMITS.poolSize.max,
        optional: true,
        placeholder: '2',
      },
      stridesField('pool'),
      paddingField,
    ],
    counts: (layer) => [
      { field: 'poolSize', value: layer.poolSize, optional: true },
      { field: 'strides', value: layer.strides, optional: true },
    ],
    outputShape(layer, [input]) {
      const bad = needImage(layer.type, input);
      if (bad) return bad;
      const pool = pair(layer.poolSize ?? LAYER_DEFAULTS.poolSize);
      const hw = windowed(input, pool, pair(layer.strides ?? pool), layer.padding ?? LAYER_DEFAULTS.padding, 'pool');
      return typeof hw === 'string' ? hw : [hw[0], hw[1], input[2]];
    },
    params: () => NO_PARAMS,
    keras: {
      className: type,
      baseName,
      config(layer) {
        const poolSize = pair(layer.poolSize ?? LAYER_DEFAULTS.poolSize);
        return {
          pool_size: poolSize,
          padding: layer.padding ?? LAYER_DEFAULTS.padding,
          strides: pair(layer.strides ?? poolSize),
          data_format: 'channels_last',
        };
      },
      importClasses: [type],
      fromConfig(c) {
        const bad = channelsLast(c);
        if (bad) return bad;
        const poolSize = readSize2(c.pool_size) ?? 2;
        const layer = named(c, {
          type,
          poolSize: compact(poolSize),
          strides: compact(readSize2(c.strides) ?? poolSize),
          padding: (c.padding ?? LAYER_DEFAULTS.padding) as Padding,
        }) as L;
        return { layer, storedVars: [] };
      },
      weights: () => ({ trainable: [], nonTrainable: [] }),
      pythonArgs(layer) {
        const p = pyArgs();
        const poolSize = layer.poolSize ?? LAYER_DEFAULTS.poolSize;
        p.add('pool_size', pyTuple(poolSize));
        p.add('strides', pyTuple(layer.strides ?? poolSize), layer.strides === undefined);
        p.add('padding', py(layer.padding ?? LAYER_DEFAULTS.padding), (layer.padding ?? LAYER_DEFAULTS.padding) === LAYER_DEFAULTS.padding);
        return p.args;
      },
    },
  };
}
