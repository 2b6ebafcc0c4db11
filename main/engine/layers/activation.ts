/** Activation in tfjs and in the step's graph. */
import type { ActivationLayer } from '../../../common/layers/activation.js';
import type { EngineLayer } from './engine-layer.js';

export const activationEngine: EngineLayer<ActivationLayer> = {
  tfjs: (tf, layer, base) => tf.layers.activation({ ...base, activation: layer.activation }),
  paramRoles: [],
  graph(b, layer, { inputs: [x] }) {
    const [a, backward] = b.activation(x, layer.activation);
    return [a, (da) => backward(da)];
  },
};
