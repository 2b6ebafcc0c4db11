/** AveragePooling2D in tfjs and in the step's graph. */
import type { AveragePooling2DLayer } from '../../../common/layers/average-pooling2d.js';
import { poolWindow, tfjsPoolConfig } from './pooling2d.js';
import type { EngineLayer } from './engine-layer.js';

export const averagePooling2dEngine: EngineLayer<AveragePooling2DLayer> = {
  tfjs: (tf, layer, base) => tf.layers.averagePooling2d(tfjsPoolConfig(layer, base)),
  paramRoles: [],
  graph(b, layer, { inputs: [x] }) {
    const win = poolWindow(layer);
    return [b.o.avgPool(x, win), (dy) => b.o.avgPoolGrad(b.o.shape(x), dy, win)];
  },
};
