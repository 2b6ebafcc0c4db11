/** DepthwiseConv2D: one learned filter (or depthMultiplier filters) per input channel, channels kept apart. */
import { z } from 'zod';
import { LIMITS } from '../limits.js';
import { LAYER_DEFAULTS, pair, type Padding } from './basics.js';
import { ImportFault, type LayerDescriptor } from './descriptor.js';
import {
  activationOf,
  activationSchema,
  channelsLast,
  commonLayerFields,
  compact,
  int,
  kerasActivation,
  kerasInitializer,
  named,
  convolvedShape,
  NO_PARAMS,
  ones,
  paddingSchema,
  py,
  pyArgs,
  pyTuple,
  readSize2,
  size2,
  needImage,
} from './helpers.js';
import { activationField, biasField, depthMultiplierField, kernelSizeField, paddingField, stridesField } from './shared-fields.js';

export const depthwiseConv2dSchema = z.strictObject({
  type: z.literal('DepthwiseConv2D'),
  kernelSize: size2(LIMITS.kernel.min, LIMITS.kernel.max),
  strides: size2(LIMITS.strides.min, LIMITS.strides.max).optional(),
  padding: paddingSchema.optional(),
  depthMultiplier: int(LIMITS.depthMultiplier.min, LIMITS.depthMultiplier.max).optional(),
  activation: activationSchema.optional(),
  useBias: z.boolean().optional(),
  ...commonLayerFields,
});
export type DepthwiseConv2DLayer = z.output<typeof depthwiseConv2dSchema>;

/** The weights tfjs names them (Keras loads them by order): the depthwise kernel, then the bias. */
export function depthwiseWeights(useBias: boolean | undefined, extra: string[] = []): { trainable: string[]; nonTrainable: string[] } {
  return { trainable: ['depthwise_kernel', ...extra, ...(useBias === false ? [] : ['bias'])], nonTrainable: [] };
}

export const depthwiseConv2d: LayerDescriptor<DepthwiseConv2DLayer> = {
  type: 'DepthwiseConv2D',
  schema: depthwiseConv2dSchema,
  group: 'Convolution',
  description: 'Filters each channel on its own',
  newLayer: () => ({ type: 'DepthwiseConv2D', kernelSize: 3, padding: 'same', activation: 'relu' }),
  fields: [
    kernelSizeField,
    stridesField('1'),
    paddingField,
    depthMultiplierField,
    activationField,
    biasField('Add a learned bias to each output channel'),
  ],
  counts: (layer) => [
    { field: 'kernelSize', value: layer.kernelSize },
    { field: 'strides', value: layer.strides, optional: true },
    { field: 'depthMultiplier', value: layer.depthMultiplier, optional: true },
  ],
  outputShape(layer, [input]) {
    return convolvedShape(layer, input, pair(layer.kernelSize), (c) => c * (layer.depthMultiplier ?? LAYER_DEFAULTS.depthMultiplier));
  },
  params(layer, [input]) {
    if (needImage(layer.type, input)) return NO_PARAMS;
    const [kh, kw] = pair(layer.kernelSize);
    const out = input[2] * (layer.depthMultiplier ?? LAYER_DEFAULTS.depthMultiplier);
    return { trainable: kh * kw * out + (layer.useBias === false ? 0 : out), nonTrainable: 0 };
  },
  keras: {
    className: 'DepthwiseConv2D',
    baseName: 'depthwise_conv2d',
    config: (layer) => ({
      depth_multiplier: layer.depthMultiplier ?? LAYER_DEFAULTS.depthMultiplier,
      kernel_size: pair(layer.kernelSize),
      strides: pair(layer.strides ?? LAYER_DEFAULTS.strides),
      padding: layer.padding ?? LAYER_DEFAULTS.padding,
      data_format: 'channels_last',
      dilation_rate: [1, 1],
      activation: kerasActivation(layer.activation),
      use_bias: layer.useBias ?? true,
      depthwise_initializer: kerasInitializer('GlorotUniform'),
      bias_initializer: kerasInitializer('Zeros'),
      depthwise_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      depthwise_constraint: null,
      bias_constraint: null,
    }),
    importClasses: ['DepthwiseConv2D'],
    fromConfig(c) {
      const a = activationOf(c.activation ?? 'linear');
      const bad = channelsLast(c) ?? (a instanceof ImportFault ? a : undefined);
      if (bad) return bad;
      // No dilation: tfjs's DepthwiseConv2D layer ignores it (and has no gradient for it).
      if (!ones(c.dilation_rate)) return new ImportFault(`dilation_rate ${JSON.stringify(c.dilation_rate)} is not supported (only 1)`);
      const kernelSize = readSize2(c.kernel_size);
      if (kernelSize === undefined) return new ImportFault('kernel_size missing');
      const useBias = c.use_bias !== false;
      const layer = named(c, {
        type: 'DepthwiseConv2D' as const,
        kernelSize: compact(kernelSize),
        strides: compact(readSize2(c.strides) ?? 1),
        padding: (c.padding ?? LAYER_DEFAULTS.padding) as Padding,
        depthMultiplier: typeof c.depth_multiplier === 'number' ? c.depth_multiplier : LAYER_DEFAULTS.depthMultiplier,
        activation: a as Exclude<typeof a, ImportFault>,
        useBias,
      });
      return { layer, storedVars: depthwiseWeights(useBias).trainable };
    },
    weights: (layer) => depthwiseWeights(layer.useBias),
    pythonArgs(layer) {
      const p = pyArgs();
      p.add('', pyTuple(layer.kernelSize));
      p.add(
        'strides',
        pyTuple(layer.strides ?? LAYER_DEFAULTS.strides),
        pair(layer.strides ?? LAYER_DEFAULTS.strides).every((s) => s === 1),
      );
      p.add('padding', py(layer.padding ?? LAYER_DEFAULTS.padding), (layer.padding ?? LAYER_DEFAULTS.padding) === LAYER_DEFAULTS.padding);
      const multiplier = layer.depthMultiplier ?? LAYER_DEFAULTS.depthMultiplier;
      p.add('depth_multiplier', String(multiplier), multiplier === 1);
      p.add('activation', py(kerasActivation(layer.activation)), (layer.activation ?? 'linear') === 'linear');
      p.add('use_bias', 'False', layer.useBias !== false);
      return p.args;
    },
  },
};
