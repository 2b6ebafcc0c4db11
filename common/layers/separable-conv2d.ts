/** SeparableConv2D: a depthwise filter per channel, then a 1x1 convolution mixing the channels into `filters`. */
import { z } from 'zod';
import { LIMITS } from '../limits.js';
import { LAYER_DEFAULTS, pair, type Padding } from './basics.js';
import { depthwiseWeights } from './depthwise-conv2d.js';
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
import {
  activationField,
  biasField,
  filtersField,
  depthMultiplierField,
  kernelSizeField,
  paddingField,
  stridesField,
} from './shared-fields.js';

export const separableConv2dSchema = z.strictObject({
  type: z.literal('SeparableConv2D'),
  filters: int(LIMITS.filters.min, LIMITS.filters.max),
  kernelSize: size2(LIMITS.kernel.min, LIMITS.kernel.max),
  strides: size2(LIMITS.strides.min, LIMITS.strides.max).optional(),
  padding: paddingSchema.optional(),
  depthMultiplier: int(LIMITS.depthMultiplier.min, LIMITS.depthMultiplier.max).optional(),
  activation: activationSchema.optional(),
  useBias: z.boolean().optional(),
  ...commonLayerFields,
});
export type SeparableConv2DLayer = z.output<typeof separableConv2dSchema>;

export const separableConv2d: LayerDescriptor<SeparableConv2DLayer> = {
  type: 'SeparableConv2D',
  schema: separableConv2dSchema,
  group: 'Convolution',
  description: 'Filters each channel, then mixes them (fewer weights)',
  newLayer: () => ({ type: 'SeparableConv2D', filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
  fields: [
    filtersField,
    kernelSizeField,
    stridesField('1'),
    paddingField,
    depthMultiplierField,
    activationField,
    biasField('Add a learned bias to each filter'),
  ],
  counts: (layer) => [
    { field: 'filters', value: layer.filters },
    { field: 'kernelSize', value: layer.kernelSize },
    { field: 'strides', value: layer.strides, optional: true },
    { field: 'depthMultiplier', value: layer.depthMultiplier, optional: true },
  ],
  outputShape(layer, [input]) {
    return convolvedShape(layer, input, pair(layer.kernelSize), () => layer.filters);
  },
  params(layer, [input]) {
    if (needImage(layer.type, input)) return NO_PARAMS;
    const [kh, kw] = pair(layer.kernelSize);
    const middle = input[2] * (layer.depthMultiplier ?? LAYER_DEFAULTS.depthMultiplier);
    const bias = layer.useBias === false ? 0 : layer.filters;
    return { trainable: kh * kw * middle + middle * layer.filters + bias, nonTrainable: 0 };
  },
  keras: {
    className: 'SeparableConv2D',
    baseName: 'separable_conv2d',
    config: (layer) => ({
      depth_multiplier: layer.depthMultiplier ?? LAYER_DEFAULTS.depthMultiplier,
      filters: layer.filters,
      kernel_size: pair(layer.kernelSize),
      strides: pair(layer.strides ?? LAYER_DEFAULTS.strides),
      padding: layer.padding ?? LAYER_DEFAULTS.padding,
      data_format: 'channels_last',
      dilation_rate: [1, 1],
      activation: kerasActivation(layer.activation),
      use_bias: layer.useBias ?? true,
      depthwise_initializer: kerasInitializer('GlorotUniform'),
      pointwise_initializer: kerasInitializer('GlorotUniform'),
      bias_initializer: kerasInitializer('Zeros'),
      depthwise_regularizer: null,
      pointwise_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      depthwise_constraint: null,
      pointwise_constraint: null,
      bias_constraint: null,
    }),
    importClasses: ['SeparableConv2D'],
    fromConfig(c) {
      const a = activationOf(c.activation ?? 'linear');
      const bad = channelsLast(c) ?? (a instanceof ImportFault ? a : undefined);
      if (bad) return bad;
      // No dilation: tfjs has no gradient for it, and TensorFlow's depthwise gradient kernels, as the graph
      // step calls them, disagreed with the written-out kernel's gradient when tried.
      if (!ones(c.dilation_rate)) return new ImportFault(`dilation_rate ${JSON.stringify(c.dilation_rate)} is not supported (only 1)`);
      const kernelSize = readSize2(c.kernel_size);
      if (typeof c.filters !== 'number' || kernelSize === undefined) return new ImportFault('filters or kernel_size missing');
      const useBias = c.use_bias !== false;
      const layer = named(c, {
        type: 'SeparableConv2D' as const,
        filters: c.filters,
        kernelSize: compact(kernelSize),
        strides: compact(readSize2(c.strides) ?? 1),
        padding: (c.padding ?? LAYER_DEFAULTS.padding) as Padding,
        depthMultiplier: typeof c.depth_multiplier === 'number' ? c.depth_multiplier : LAYER_DEFAULTS.depthMultiplier,
        activation: a as Exclude<typeof a, ImportFault>,
        useBias,
      });
      return { layer, storedVars: depthwiseWeights(useBias, ['pointwise_kernel']).trainable };
    },
    weights: (layer) => depthwiseWeights(layer.useBias, ['pointwise_kernel']),
    pythonArgs(layer) {
      const p = pyArgs();
      p.add('', String(layer.filters));
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
