/** LeakyReLU in tfjs and in the step's graph. */
import { negativeSlopeOf, type LeakyReLULayer } from '../../../common/layers/leaky-relu.js';
import type { EngineLayer } from './engine-layer.js';

export const leakyReluEngine: EngineLayer<LeakyReLULayer> = {
  tfjs: (tf, layer, base) => tf.layers.leakyReLU({ ...base, alpha: negativeSlopeOf(layer) }),
  paramRoles: [],
  graph(b, layer, { inputs: [x] }) {
    const slope = negativeSlopeOf(layer);
    // The gradient reads the output (same sign as x for a slope >= 0), as the leaky_relu activation does.
    const y = b.o.leakyRelu(x, slope);
    return [y, (dy) => b.o.leakyReluGrad(dy, y, slope)];
  },
};
