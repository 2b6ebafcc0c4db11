/** GlobalAveragePooling2D in tfjs and in the step's graph. */
import type { GlobalAveragePooling2DLayer } from '../../../common/layers/global-average-pooling2d.js';
import type { EngineLayer } from './engine-layer.js';

export const globalAveragePooling2dEngine: EngineLayer<GlobalAveragePooling2DLayer> = {
  tfjs: (tf, _layer, base) => tf.layers.globalAveragePooling2d(base),
  paramRoles: [],
  graph(b, _layer, { inputs: [x], inputShapes: [inputShape] }) {
    const o = b.o;
    const [, h, w, c] = inputShape;
    return [
      o.mean(x, [1, 2], false),
      (dy) => o.mul(o.broadcastTo(o.reshape(dy, o.ints([-1, 1, 1, c])), o.shape(x)), o.scalar(1 / (h * w))),
    ];
  },
};
