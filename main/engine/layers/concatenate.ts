/** Concatenate in tfjs and in the step's graph (merge-ops.ts: ConcatV2, and the gradient split by channels). */
import type { ConcatenateLayer } from '../../../common/layers/concatenate.js';
import { mergeLayer } from '../graph/merge-ops.js';
import type { MergeEngineLayer } from './engine-layer.js';

export const concatenateEngine: MergeEngineLayer<ConcatenateLayer> = {
  tfjs: (tf, layer, base) => tf.layers.concatenate({ ...base, axis: layer.axis ?? -1 }),
  paramRoles: [],
  graph: (b, layer, { inputs, inputShapes }) => mergeLayer(b.o, layer.type, inputs, inputShapes),
};
