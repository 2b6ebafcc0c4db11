/** Dense: fully connected, from a flat vector. */
import { z } from 'zod';
import { LIMITS } from '../limits.js';
import { ImportFault, type LayerDescriptor } from './descriptor.js';
import { initializerEditorFields, initializerFields, initializersFromKeras } from './initializers.js';
import {
  activationOf,
  activationSchema,
  describeShape,
  int,
  kerasActivation,
  kernelAndBias,
  kernelAndBiasWeights,
  commonLayerFields,
  named,
  NO_PARAMS,
  py,
  pyArgs,
  pyInitializers,
  wholeNumber,
} from './helpers.js';
import { activationField, biasField } from './shared-fields.js';

export const denseSchema = z.strictObject({
  type: z.literal('Dense'),
  units: int(LIMITS.units.min, LIMITS.units.max),
  activation: activationSchema.optional(),
  useBias: z.boolean().optional(),
  ...initializerFields,
  ...commonLayerFields,
});
export type DenseLayer = z.output<typeof denseSchema>;

export const dense: LayerDescriptor<DenseLayer> = {
  type: 'Dense',
  schema: denseSchema,
  group: 'Classifier',
  description: 'Fully connected',
  newLayer: (numClasses) => ({ type: 'Dense', units: numClasses, activation: 'softmax' }),
  fields: [
    {
      key: 'units',
      label: 'Units',
      allowed: wholeNumber(LIMITS.units.min, LIMITS.units.max),
      kind: 'count',
      min: LIMITS.units.min,
      max: LIMITS.units.max,
      width: '84px',
    },
    activationField,
    biasField('Add a learned bias to each unit'),
    ...initializerEditorFields,
  ],
  counts: (layer) => [{ field: 'units', value: layer.units }],
  outputShape(layer, [input]) {
    if (input.length !== 1)
      return `Dense needs a flat vector but its input is an image of ${describeShape(input)}; add Flatten or GlobalAveragePooling2D before it`;
    return [layer.units];
  },
  params(layer, [input]) {
    if (input.length !== 1) return NO_PARAMS;
    const bias = layer.useBias === false ? 0 : layer.units;
    return { trainable: input[0] * layer.units + bias, nonTrainable: 0 };
  },
  keras: {
    className: 'Dense',
    baseName: 'dense',
    config: (layer) => ({ units: layer.units, activation: kerasActivation(layer.activation), ...kernelAndBias(layer) }),
    importClasses: ['Dense'],
    fromConfig(c) {
      const a = activationOf(c.activation ?? 'linear');
      if (a instanceof ImportFault) return a;
      if (typeof c.units !== 'number') return new ImportFault('units missing');
      const useBias = c.use_bias !== false;
      return {
        layer: named(c, { type: 'Dense' as const, units: c.units, activation: a, useBias, ...initializersFromKeras(c) }),
        storedVars: kernelAndBiasWeights(useBias).trainable,
      };
    },
    weights: (layer) => kernelAndBiasWeights(layer.useBias),
    pythonArgs(layer) {
      const p = pyArgs();
      p.add('', String(layer.units));
      p.add('activation', py(kerasActivation(layer.activation)), (layer.activation ?? 'linear') === 'linear');
      p.add('use_bias', 'False', layer.useBias !== false);
      return [...p.args, ...pyInitializers(layer)];
    },
  },
};
