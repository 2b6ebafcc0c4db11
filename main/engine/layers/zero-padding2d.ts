/** ZeroPadding2D in tfjs and in the step's graph. */
import { sidesOf } from '../../../common/layers/basics.js';
import { DEFAULT_PADDING, type ZeroPadding2DLayer } from '../../../common/layers/zero-padding2d.js';
import type { EngineLayer } from './engine-layer.js';

export const zeroPadding2dEngine: EngineLayer<ZeroPadding2DLayer> = {
  tfjs: (tf, layer, base) => tf.layers.zeroPadding2d({ ...base, padding: sidesOf(layer.padding ?? DEFAULT_PADDING) }),
  paramRoles: [],
  graph(b, layer, { inputs: [x], inputShapes: [inputShape] }) {
    const o = b.o;
    const [[t, bottom], [l, r]] = sidesOf(layer.padding ?? DEFAULT_PADDING);
    const [, h, w] = inputShape;
    const y = o.pad(x, [
      [0, 0],
      [t, bottom],
      [l, r],
      [0, 0],
    ]);
    // The gradient of padding is the padded gradient's middle: the input's own block.
    return [y, (dy) => o.slice(dy, [0, t, l, 0], [-1, h, w, -1])];
  },
};
