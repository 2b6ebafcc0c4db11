/** Conv2D: learned image filters. */
import { z } from 'zod';
import { LIMITS } from '../limits.js';
import { LAYER_DEFAULTS, pair, type Padding } from './basics.js';
import { ImportFault, type LayerDescriptor } from './descriptor.js';
import { initializerEditorFields, initializerFields, initializersFromKeras } from './initializers.js';
import {
  activationOf,
  activationSchema,
  channelsLast,
  compact,
  int,
  kerasActivation,
  kernelAndBias,
  kernelAndBiasWeights,
  commonLayerFields,
  convolvedShape,
  NO_PARAMS,
  ones,
  named,
  paddingSchema,
  py,
  pyArgs,
  pyInitializers,
  pyTuple,
  readSize2,
  size2,
  needImage,
  dilatedKernel,
  dilationWithStrides,
} from './helpers.js';
import { activationField, biasField, filtersField, dilationField, kernelSizeField, paddingField, stridesField } from './shared-fields.js';

export const conv2dSchema = z.strictObject({
  type: z.literal('Conv2D'),
  filters: int(LIMITS.filters.min, LIMITS.filters.max),
  kernelSize: size2(LIMITS.kernel.min, LIMITS.kernel.max),
  strides: size2(LIMITS.strides.min, LIMITS.strides.max).optional(),
  dilationRate: size2(LIMITS.dilation.min, LIMITS.dilation.max).optional(),
  padding: paddingSchema.optional(),
  activation: activationSchema.optional(),
  useBias: z.boolean().optional(),
  ...initializerFields,
  ...commonLayerFields,
});
export type Conv2DLayer = z.output<typeof conv2dSchema>;

export const conv2d: LayerDescriptor<Conv2DLayer> = {
  type: 'Conv2D',
  schema: conv2dSchema,
  group: 'Convolution',
  description: 'Learns image filters',
  newLayer: () => ({ type: 'Conv2D', filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
  fields: [
    filtersField,
    kernelSizeField,
    stridesField('1'),
    dilationField,
    paddingField,
    activationField,
    biasField('Add a learned bias to each filter'),
    ...initializerEditorFields,
  ],
  counts: (layer) => [
    { field: 'filters', value: layer.filters },
    { field: 'kernelSize', value: layer.kernelSize },
    { field: 'strides', value: layer.strides, optional: true },
    { field: 'dilationRate', value: layer.dilationRate, optional: true },
  ],
  outputShape(layer, [input]) {
    return (
      dilationWithStrides(layer) ?? convolvedShape(layer, input, dilatedKernel(layer.kernelSize, layer.dilationRate), () => layer.filters)
    );
  },
  params(layer, [input]) {
    if (needImage(layer.type, input)) return NO_PARAMS;
    const kernel = pair(layer.kernelSize);
    const bias = layer.useBias === false ? 0 : layer.filters;
    return { trainable: kernel[0] * kernel[1] * input[2] * layer.filters + bias, nonTrainable: 0 };
  },
  keras: {
    className: 'Conv2D',
    baseName: 'conv2d',
    config: (layer) => ({
      filters: layer.filters,
      kernel_size: pair(layer.kernelSize),
      strides: pair(layer.strides ?? LAYER_DEFAULTS.strides),
      padding: layer.padding ?? LAYER_DEFAULTS.padding,
      data_format: 'channels_last',
      dilation_rate: pair(layer.dilationRate ?? LAYER_DEFAULTS.dilationRate),
      groups: 1,
      activation: kerasActivation(layer.activation),
      ...kernelAndBias(layer),
    }),
    importClasses: ['Conv2D'],
    fromConfig(c) {
      const a = activationOf(c.activation ?? 'linear');
      const bad = channelsLast(c) ?? (a instanceof ImportFault ? a : undefined);
      if (bad) return bad;
      if (!ones(c.groups)) return new ImportFault(`groups ${JSON.stringify(c.groups)} is not supported (only 1)`);
      const kernelSize = readSize2(c.kernel_size);
      if (typeof c.filters !== 'number' || kernelSize === undefined) return new ImportFault('filters or kernel_size missing');
      const useBias = c.use_bias !== false;
      const layer = named(c, {
        type: 'Conv2D' as const,
        filters: c.filters,
        kernelSize: compact(kernelSize),
        strides: compact(readSize2(c.strides) ?? 1),
        // A dilation of 1 is left out, so specs imported before Conv2D had dilation read back the same.
        ...(ones(c.dilation_rate) ? {} : { dilationRate: compact(readSize2(c.dilation_rate) ?? 1) }),
        padding: (c.padding ?? LAYER_DEFAULTS.padding) as Padding,
        activation: a as Exclude<typeof a, ImportFault>,
        useBias,
        ...initializersFromKeras(c),
      });
      return { layer, storedVars: kernelAndBiasWeights(useBias).trainable };
    },
    weights: (layer) => kernelAndBiasWeights(layer.useBias),
    pythonArgs(layer) {
      const p = pyArgs();
      p.add('', String(layer.filters));
      p.add('', pyTuple(layer.kernelSize));
      p.add(
        'strides',
        pyTuple(layer.strides ?? LAYER_DEFAULTS.strides),
        pair(layer.strides ?? LAYER_DEFAULTS.strides).every((s) => s === 1),
      );
      p.add(
        'dilation_rate',
        pyTuple(layer.dilationRate ?? LAYER_DEFAULTS.dilationRate),
        pair(layer.dilationRate ?? LAYER_DEFAULTS.dilationRate).every((d) => d === 1),
      );
      p.add('padding', py(layer.padding ?? LAYER_DEFAULTS.padding), (layer.padding ?? LAYER_DEFAULTS.padding) === LAYER_DEFAULTS.padding);
      p.add('activation', py(kerasActivation(layer.activation)), (layer.activation ?? 'linear') === 'linear');
      p.add('use_bias', 'False', layer.useBias !== false);
      return [...p.args, ...pyInitializers(layer)];
    },
  },
};
