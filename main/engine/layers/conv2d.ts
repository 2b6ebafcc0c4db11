/** Conv2D in tfjs and in the step's graph. */
import { LAYER_DEFAULTS, pair } from '../../../common/layers/basics.js';
import type { Conv2DLayer } from '../../../common/layers/conv2d.js';
import type { Window } from '../graph/ops.js';
import { graphPadding, KERAS_KERNEL_INITIALIZER, type EngineLayer } from './engine-layer.js';

export const conv2dEngine: EngineLayer<Conv2DLayer> = {
  tfjs: (tf, layer, base) =>
    tf.layers.conv2d({
      ...base,
      filters: layer.filters,
      kernelSize: pair(layer.kernelSize),
      strides: pair(layer.strides ?? LAYER_DEFAULTS.strides),
      dilationRate: pair(layer.dilationRate ?? LAYER_DEFAULTS.dilationRate),
      padding: layer.padding ?? LAYER_DEFAULTS.padding,
      activation: layer.activation ?? 'linear',
      useBias: layer.useBias ?? true,
      kernelInitializer: KERAS_KERNEL_INITIALIZER,
    }),
  paramRoles: ['kernel', 'bias'],
  eagerStepFault(layer) {
    const d = pair(layer.dilationRate ?? LAYER_DEFAULTS.dilationRate);
    if (d[0] === 1 && d[1] === 1) return undefined;
    // tfjs-core's Conv2D gradient refuses dilations above 1; TensorFlow's own kernels in the graph step take them.
    return `dilation rate ${d[0] === d[1] ? d[0] : d.join('x')} has no gradient in TensorFlow.js, so it trains only with native TensorFlow's graph step; set dilation to 1, or set up native TensorFlow (npm run setup)`;
  },
  graph(b, layer, { inputs: [x], inputShapes: [inputShape], paramIndex }) {
    const o = b.o;
    const kernelIndex = paramIndex('kernel')!;
    const biasIndex = paramIndex('bias');
    const kernelShape = [...pair(layer.kernelSize), inputShape[3], layer.filters];
    const w = b.param(kernelIndex, kernelShape);
    const win: Window = {
      strides: pair(layer.strides ?? LAYER_DEFAULTS.strides),
      padding: graphPadding(layer.padding, LAYER_DEFAULTS.padding),
      dilations: pair(layer.dilationRate ?? LAYER_DEFAULTS.dilationRate),
    };
    const linear = o.conv2d(x, w, win);
    const bias = biasIndex !== undefined ? b.param(biasIndex, [layer.filters]) : undefined;
    const z = bias ? o.biasAdd(linear, bias) : linear;
    const [a, activationBackward] = b.activation(z, layer.activation ?? 'linear');
    return [
      a,
      (da, needInput) => {
        const dz = activationBackward(da);
        if (biasIndex !== undefined) b.grads.set(`param:${biasIndex}`, o.biasAddGrad(dz));
        b.grads.set(`param:${kernelIndex}`, o.conv2dBackpropFilter(x, kernelShape, dz, win));
        return needInput ? o.conv2dBackpropInput(o.shape(x), w, dz, win) : undefined;
      },
    ];
  },
};
