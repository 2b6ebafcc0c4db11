/** Activation in tfjs and in the step's graph. */
import type { ActivationLayer } from '../../../common/layers/activation.js';
import type { EngineLayer } from './engine-layer.js';
import { tfjsActivation } from './tfjs-activations.js';

export const activationEngine: EngineLayer<ActivationLayer> = {
  tfjs: (tf, layer, base) => tf.layers.activation({ ...base, activation: tfjsActivation(tf, layer.activation) }),
  paramRoles: [],
  graph(b, layer, { inputs: [x] }) {
    const [a, backward] = b.activation(x, layer.activation);
    return [a, (da) => backward(da)];
  },
};
