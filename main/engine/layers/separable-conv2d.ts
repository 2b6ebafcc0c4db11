/**
 * SeparableConv2D in tfjs and in the step's graph: a depthwise convolution (DepthwiseConv2dNative), then a
 * 1x1 Conv2D over its channels, as tfjs's separableConv2d computes it; the backward pass runs back through both.
 */
import { LAYER_DEFAULTS, pair } from '../../../common/layers/basics.js';
import type { SeparableConv2DLayer } from '../../../common/layers/separable-conv2d.js';
import type { Window } from '../graph/ops.js';
import { graphPadding, KERAS_KERNEL_INITIALIZER, type EngineLayer } from './engine-layer.js';

/** The pointwise step: a 1x1 kernel at stride 1 (tfjs's separableConv2d). */
const POINTWISE: Window = { strides: [1, 1], padding: 'VALID' };

export const separableConv2dEngine: EngineLayer<SeparableConv2DLayer> = {
  tfjs: (tf, layer, base) =>
    tf.layers.separableConv2d({
      ...base,
      filters: layer.filters,
      kernelSize: pair(layer.kernelSize),
      strides: pair(layer.strides ?? LAYER_DEFAULTS.strides),
      padding: layer.padding ?? LAYER_DEFAULTS.padding,
      depthMultiplier: layer.depthMultiplier ?? LAYER_DEFAULTS.depthMultiplier,
      activation: layer.activation ?? 'linear',
      useBias: layer.useBias ?? true,
      depthwiseInitializer: KERAS_KERNEL_INITIALIZER,
      pointwiseInitializer: KERAS_KERNEL_INITIALIZER,
    }),
  paramRoles: ['depthwiseKernel', 'pointwiseKernel', 'bias'],
  graph(b, layer, { inputs: [x], inputShapes: [inputShape], paramIndex }) {
    const o = b.o;
    const depthwiseIndex = paramIndex('depthwiseKernel')!;
    const pointwiseIndex = paramIndex('pointwiseKernel')!;
    const biasIndex = paramIndex('bias');
    const multiplier = layer.depthMultiplier ?? LAYER_DEFAULTS.depthMultiplier;
    const depthwiseShape = [...pair(layer.kernelSize), inputShape[3], multiplier];
    const pointwiseShape = [1, 1, inputShape[3] * multiplier, layer.filters];
    const dw = b.param(depthwiseIndex, depthwiseShape);
    const pw = b.param(pointwiseIndex, pointwiseShape);
    const win: Window = {
      strides: pair(layer.strides ?? LAYER_DEFAULTS.strides),
      padding: graphPadding(layer.padding, LAYER_DEFAULTS.padding),
    };
    const middle = o.depthwiseConv2d(x, dw, win);
    const linear = o.conv2d(middle, pw, POINTWISE);
    const bias = biasIndex !== undefined ? b.param(biasIndex, [layer.filters]) : undefined;
    const z = bias ? o.biasAdd(linear, bias) : linear;
    const [a, activationBackward] = b.activation(z, layer.activation ?? 'linear');
    return [
      a,
      (da, needInput) => {
        const dz = activationBackward(da);
        if (biasIndex !== undefined) b.grads.set(`param:${biasIndex}`, o.biasAddGrad(dz));
        b.grads.set(`param:${pointwiseIndex}`, o.conv2dBackpropFilter(middle, pointwiseShape, dz, POINTWISE));
        const dMiddle = o.conv2dBackpropInput(o.shape(middle), pw, dz, POINTWISE);
        b.grads.set(`param:${depthwiseIndex}`, o.depthwiseConv2dBackpropFilter(x, depthwiseShape, dMiddle, win));
        return needInput ? o.depthwiseConv2dBackpropInput(o.shape(x), dw, dMiddle, win) : undefined;
      },
    ];
  },
};
