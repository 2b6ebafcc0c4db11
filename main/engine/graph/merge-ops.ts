/**
 * The merge layers (Add, Concatenate) in the graph step: their forward op and the backward that gives each
 * input its share of the output's gradient. Add passes the gradient to every input unchanged; Concatenate
 * splits it along the last axis into each input's channels (or features).
 */
import type { Out } from './graph-def.js';
import type { Ops } from './ops.js';

/** Gradients with respect to each input, from the one with respect to the output; `need[k]` says which are wanted. */
export type MergeBackward = (dy: Out, need: boolean[]) => (Out | undefined)[];

/** The sum of several tensors of one shape (one AddN, or the tensor itself). */
export function sumAll(o: Ops, parts: Out[]): Out {
  if (parts.length === 1) return parts[0];
  return o.g.op('AddN', parts, { N: { i: parts.length }, T: { type: 'float' } });
}

/**
 * Forward and backward of a merge. `inputShapes` are the inputs' shapes with the batch as -1; the last
 * axis of each tells Concatenate where to split the gradient.
 */
export function mergeLayer(o: Ops, type: 'Add' | 'Concatenate', xs: Out[], inputShapes: number[][]): [Out, MergeBackward] {
  if (type === 'Add') {
    return [sumAll(o, xs), (dy, need) => need.map((wanted) => (wanted ? dy : undefined))];
  }
  const axis = o.g.scalar(-1, 'int32');
  const y = o.g.op('ConcatV2', [...xs, axis], { N: { i: xs.length }, T: { type: 'float' }, Tidx: { type: 'int32' } });
  const sizes = inputShapes.map((s) => s[s.length - 1]);
  return [
    y,
    (dy, need) => {
      const parts = o.g.ops('SplitV', [dy, o.ints(sizes), o.g.scalar(-1, 'int32')], sizes.length, {
        num_split: { i: sizes.length },
        T: { type: 'float' },
        Tlen: { type: 'int32' },
      });
      return need.map((wanted, k) => (wanted ? parts[k] : undefined));
    },
  ];
}
