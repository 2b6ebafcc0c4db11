/** GlobalMaxPooling2D in tfjs and in the step's graph. */
import type { GlobalMaxPooling2DLayer } from '../../../common/layers/global-max-pooling2d.js';
import type { EngineLayer } from './engine-layer.js';

export const globalMaxPooling2dEngine: EngineLayer<GlobalMaxPooling2DLayer> = {
  tfjs: (tf, _layer, base) => tf.layers.globalMaxPooling2d(base),
  paramRoles: [],
  graph(b, _layer, { inputs: [x], inputShapes: [inputShape] }) {
    const o = b.o;
    const c = inputShape[3];
    const y = o.max(x, [1, 2], false);
    return [
      y,
      (dy) => {
        // tfjs's gradient of max: every position equal to the maximum gets the whole gradient (ties too).
        const atMax = o.castToFloat(o.equalFloat(x, o.reshape(y, o.ints([-1, 1, 1, c]))), 'bool');
        return o.mul(atMax, o.reshape(dy, o.ints([-1, 1, 1, c])));
      },
    ];
  },
};
