/** MaxPooling2D in tfjs and in the step's graph. */
import type { MaxPooling2DLayer } from '../../../common/layers/max-pooling2d.js';
import { poolWindow, tfjsPoolConfig } from './pooling2d.js';
import type { EngineLayer } from './engine-layer.js';

export const maxPooling2dEngine: EngineLayer<MaxPooling2DLayer> = {
  tfjs: (tf, layer, base) => tf.layers.maxPooling2d(tfjsPoolConfig(layer, base)),
  paramRoles: [],
  graph(b, layer, { inputs: [x] }) {
    const win = poolWindow(layer);
    const y = b.o.maxPool(x, win);
    return [y, (dy) => b.o.maxPoolGrad(x, y, dy, win)];
  },
};
