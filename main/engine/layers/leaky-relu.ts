/** LeakyReLU in tfjs and in the step's graph. */
import { negativeSlopeOf, type LeakyReLULayer } from '../../../common/layers/leaky-relu.js';
import type { EngineLayer } from './engine-layer.js';

export const leakyReluEngine: EngineLayer<LeakyReLULayer> = {
  tfjs: (tf, layer, base) => tf.layers.leakyReLU({ ...base, alpha: negativeSlopeOf(layer) }),
  paramRoles: [],
  graph(b, layer, { inputs: [x] }) {
    const slope = negativeSlopeOf(layer);
    return [b.o.leakyRelu(x, slope), (dy) => b.o.leakyReluGrad(dy, x, slope)];
  },
};
