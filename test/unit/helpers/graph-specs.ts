/** Graph model specs the graph tests share: a residual block (identity and projection shortcuts), a concatenation. */
import type { LayerSpec, ModelSpec } from '../../../common/spec.js';

/** conv -> bn -> relu -> conv -> add with the block's input (identity shortcut), then a classifier. */
export function residualSpec(classes: number, inputShape: [number, number, number] = [8, 8, 4]): ModelSpec {
  return {
    name: 'residual',
    inputShape,
    layers: [
      { type: 'Conv2D', filters: 4, kernelSize: 3, padding: 'same', name: 'stem' },
      // No bias before BatchNormalization (as in ResNets): its gradient would be zero up to rounding, which
      // Adam scales up to full steps in either direction.
      { type: 'Conv2D', filters: 4, kernelSize: 3, padding: 'same', useBias: false, name: 'conv_a' },
      { type: 'BatchNormalization', name: 'bn_a' },
      { type: 'Activation', activation: 'relu', name: 'relu_a' },
      { type: 'Conv2D', filters: 4, kernelSize: 3, padding: 'same', name: 'conv_b' },
      // The stem's output feeds conv_a and this Add: a branch whose gradients sum.
      { type: 'Add', inputs: ['conv_b', 'stem'], name: 'add' },
      { type: 'Activation', activation: 'relu', name: 'relu_out' },
      { type: 'GlobalAveragePooling2D' },
      { type: 'Dense', units: classes, activation: 'softmax' },
    ],
  };
}

/** A downsampling residual block: 3x3 convs with strides 2 on one path, a 1x1 projection with strides 2 on the shortcut. */
export function projectionSpec(classes: number): ModelSpec {
  const layers: LayerSpec[] = [
    { type: 'Conv2D', filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false, inputs: ['input'] },
    { type: 'BatchNormalization' },
    { type: 'Activation', activation: 'relu' },
    { type: 'Conv2D', filters: 8, kernelSize: 3, padding: 'same' },
    { type: 'Conv2D', filters: 8, kernelSize: 1, strides: 2, inputs: ['input'], name: 'shortcut' },
    { type: 'Add', inputs: ['conv2d_1', 'shortcut'] },
    { type: 'Flatten' },
    { type: 'Dense', units: classes, activation: 'softmax' },
  ];
  return { inputShape: [8, 8, 3], layers };
}

/** Two branches of different widths from one input, joined by Concatenate (channels add up), then Dense. */
export function concatSpec(classes: number): ModelSpec {
  return {
    inputShape: [6, 6, 2],
    layers: [
      { type: 'Conv2D', filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'left' },
      { type: 'Conv2D', filters: 5, kernelSize: 1, activation: 'tanh', inputs: ['input'], name: 'right' },
      { type: 'MaxPooling2D', poolSize: 2, inputs: ['right'] },
      { type: 'MaxPooling2D', poolSize: 2, inputs: ['left'], name: 'left_pool' },
      { type: 'Concatenate', inputs: ['left_pool', 'max_pooling2d'] },
      { type: 'Flatten' },
      { type: 'Dense', units: classes, activation: 'softmax' },
    ],
  };
}

/**
 * Every graph feature in one model: a branch at the stem, an identity Add, a strided 1x1 projection
 * shortcut listed before the path it joins (so Keras's layer order differs from the spec's), a Concatenate
 * of an image and a pooled copy, BatchNormalization and Dropout inside branches.
 */
export function everyGraphFeatureSpec(classes: number): ModelSpec {
  return {
    name: 'graph_features',
    inputShape: [8, 8, 3],
    layers: [
      { type: 'Conv2D', filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'stem' },
      { type: 'Conv2D', filters: 4, kernelSize: 3, padding: 'same', useBias: false },
      { type: 'BatchNormalization' },
      { type: 'Activation', activation: 'relu' },
      { type: 'Conv2D', filters: 4, kernelSize: 3, padding: 'same' },
      { type: 'Add', inputs: ['conv2d_1', 'stem'], name: 'block1' },
      { type: 'Conv2D', filters: 6, kernelSize: 1, strides: 2, inputs: ['block1'], name: 'projection' },
      { type: 'Conv2D', filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', inputs: ['block1'] },
      { type: 'Dropout', rate: 0.3 },
      { type: 'Conv2D', filters: 6, kernelSize: 3, padding: 'same' },
      { type: 'Add', inputs: ['conv2d_3', 'projection'], name: 'block2' },
      { type: 'MaxPooling2D', poolSize: 3, strides: 1, padding: 'same', inputs: ['block2'] },
      { type: 'Concatenate', inputs: ['block2', 'max_pooling2d'] },
      { type: 'BatchNormalization' },
      { type: 'GlobalAveragePooling2D' },
      { type: 'Dense', units: classes, activation: 'softmax' },
    ],
  };
}
