/** Dropout in tfjs and in the step's graph. */
import type { DropoutLayer } from '../../../common/layers/dropout.js';
import type { EngineLayer } from './engine-layer.js';

export const dropoutEngine: EngineLayer<DropoutLayer> = {
  tfjs: (tf, layer, base) => tf.layers.dropout({ ...base, rate: layer.rate }),
  paramRoles: [],
  graph(b, layer, { inputs: [x] }) {
    const o = b.o;
    if (layer.rate <= 0 || !b.training) return [x, (dy) => dy];
    // tfjs's dropout: floor(uniform + keep) / keep, one fresh mask per step; each layer its own stream.
    const keep = 1 - layer.rate;
    const seed = o.g.op('AddV2', [b.seed!, o.ints([0, b.nextDropoutStream()])], { T: { type: 'int32' } });
    const mask = o.div(o.floor(o.add(o.randomUniform(o.shape(x), seed), o.scalar(keep))), o.scalar(keep));
    return [o.mul(x, mask), (dy) => o.mul(dy, mask)];
  },
};
