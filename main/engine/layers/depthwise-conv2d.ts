/** DepthwiseConv2D in tfjs and in the step's graph (TensorFlow's DepthwiseConv2dNative and its two gradients). */
import { LAYER_DEFAULTS, pair } from '../../../common/layers/basics.js';
import type { DepthwiseConv2DLayer } from '../../../common/layers/depthwise-conv2d.js';
import type { Window } from '../graph/ops.js';
import { graphPadding, KERAS_KERNEL_INITIALIZER, type EngineLayer } from './engine-layer.js';

export const depthwiseConv2dEngine: EngineLayer<DepthwiseConv2DLayer> = {
  tfjs: (tf, layer, base) =>
    tf.layers.depthwiseConv2d({
      ...base,
      kernelSize: pair(layer.kernelSize),
      strides: pair(layer.strides ?? LAYER_DEFAULTS.strides),
      padding: layer.padding ?? LAYER_DEFAULTS.padding,
      depthMultiplier: layer.depthMultiplier ?? LAYER_DEFAULTS.depthMultiplier,
      activation: layer.activation ?? 'linear',
      useBias: layer.useBias ?? true,
      depthwiseInitializer: KERAS_KERNEL_INITIALIZER,
    }),
  paramRoles: ['depthwiseKernel', 'bias'],
  graph(b, layer, { inputs: [x], inputShapes: [inputShape], paramIndex }) {
    const o = b.o;
    const kernelIndex = paramIndex('depthwiseKernel')!;
    const biasIndex = paramIndex('bias');
    const multiplier = layer.depthMultiplier ?? LAYER_DEFAULTS.depthMultiplier;
    const kernelShape = [...pair(layer.kernelSize), inputShape[3], multiplier];
    const w = b.param(kernelIndex, kernelShape);
    const win: Window = {
      strides: pair(layer.strides ?? LAYER_DEFAULTS.strides),
      padding: graphPadding(layer.padding, LAYER_DEFAULTS.padding),
    };
    const linear = o.depthwiseConv2d(x, w, win);
    const bias = biasIndex !== undefined ? b.param(biasIndex, [inputShape[3] * multiplier]) : undefined;
    const z = bias ? o.biasAdd(linear, bias) : linear;
    const [a, activationBackward] = b.activation(z, layer.activation ?? 'linear');
    return [
      a,
      (da, needInput) => {
        const dz = activationBackward(da);
        if (biasIndex !== undefined) b.grads.set(`param:${biasIndex}`, o.biasAddGrad(dz));
        b.grads.set(`param:${kernelIndex}`, o.depthwiseConv2dBackpropFilter(x, kernelShape, dz, win));
        return needInput ? o.depthwiseConv2dBackpropInput(o.shape(x), w, dz, win) : undefined;
      },
    ];
  },
};
