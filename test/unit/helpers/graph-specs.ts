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
