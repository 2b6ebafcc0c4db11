/** Add in tfjs and in the step's graph (merge-ops.ts: the sum, and the gradient passed to every input). */
import type { AddLayer } from '../../../common/layers/add.js';
import { mergeLayer } from '../graph/merge-ops.js';
import type { MergeEngineLayer } from './engine-layer.js';

export const addEngine: MergeEngineLayer<AddLayer> = {
  tfjs: (tf, _layer, base) => tf.layers.add(base),
  paramRoles: [],
  graph: (b, layer, { inputs, inputShapes }) => mergeLayer(b.o, layer.type, inputs, inputShapes),
};
