/**
 * What a new layer of each type starts as when added from the palette, and one-line descriptions for the
 * palette. The defaults are the ones the seed CNN uses, so a layer added by hand fits a typical model.
 */
import type { LayerSpec, LayerType } from '../../../common/spec.js';

export function newLayer(type: LayerType, numClasses = 10): LayerSpec {
  switch (type) {
    case 'Conv2D':
      return { type, filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' };
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      return { type, poolSize: 2 };
    case 'GlobalAveragePooling2D':
      return { type };
    case 'Dropout':
      return { type, rate: 0.25 };
    case 'BatchNormalization':
      return { type };
    case 'Flatten':
      return { type };
    case 'Dense':
      return { type, units: numClasses, activation: 'softmax' };
    case 'Activation':
      return { type, activation: 'relu' };
    case 'Add':
    case 'Concatenate':
      // A merge reads layers by name: the Inputs field asks for them (common/model-graph.ts says what is wrong until then).
      return { type, inputs: [] };
    default: {
      const never: never = type;
      throw new Error(`Unsupported layer type ${String(never)}`);
    }
  }
}

export const LAYER_DESCRIPTIONS: Record<LayerType, string> = {
  Conv2D: 'Learns image filters',
  MaxPooling2D: 'Halves size, keeps strongest',
  AveragePooling2D: 'Halves size, averages',
  GlobalAveragePooling2D: 'One value per channel',
  Dropout: 'Randomly drops units',
  BatchNormalization: 'Normalizes activations',
  Flatten: 'Image to vector',
  Dense: 'Fully connected',
  Activation: 'Applies a function',
  Add: 'Sums layers of one shape',
  Concatenate: 'Stacks channels of layers',
};

/** Short group labels so the palette reads as convolution, pooling, regularization, classifier. */
export const LAYER_GROUPS: { label: string; types: LayerType[] }[] = [
  { label: 'Convolution', types: ['Conv2D'] },
  { label: 'Pooling', types: ['MaxPooling2D', 'AveragePooling2D', 'GlobalAveragePooling2D'] },
  { label: 'Regularization', types: ['Dropout', 'BatchNormalization'] },
  { label: 'Classifier', types: ['Flatten', 'Dense', 'Activation'] },
  { label: 'Merge', types: ['Add', 'Concatenate'] },
];
