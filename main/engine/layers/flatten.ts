/** Flatten in tfjs and in the step's graph. */
import type { FlattenLayer } from '../../../common/layers/flatten.js';
import type { EngineLayer } from './engine-layer.js';

export const flattenEngine: EngineLayer<FlattenLayer> = {
  tfjs: (tf, _layer, base) => tf.layers.flatten(base),
  paramRoles: [],
  graph(b, _layer, { inputs: [x], inputShapes: [inputShape] }) {
    const o = b.o;
    const size = inputShape.slice(1).reduce((a, c) => a * c, 1);
    return [o.reshape(x, o.ints([-1, size])), (dy) => o.reshape(dy, o.shape(x))];
  },
};
