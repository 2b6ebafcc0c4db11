/** Validation loss and accuracy over a subset: the per-epoch summary of the full evaluation. */
import type { Subset } from '../data/dataset.js';
import { evaluateModel } from './evaluate.js';
import type { Forward } from './graph/forward.js';
import type { LayersModel, TF } from './tf-types.js';

export async function evaluateSubset(
  tf: TF,
  model: LayersModel,
  subset: Subset,
  shape: [number, number, number],
  numClasses: number,
  /** The forward pass to run, kept across epochs by the training loop (it reads the current weights). */
  forward?: Forward,
): Promise<{ loss: number; accuracy: number }> {
  const names = Array.from({ length: numClasses }, (_, i) => String(i));
  const { loss, accuracy } = await evaluateModel(tf, model, subset, shape, names, { examples: 0, ...(forward ? { forward } : {}) });
  return { loss, accuracy };
}
