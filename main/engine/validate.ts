/** Validation loss and accuracy over a subset: the per-epoch summary of the full evaluation. */
import type { Subset } from '../data/dataset.js';
import { evaluateModel } from './evaluate.js';
import type { LayersModel, TF } from './tf-types.js';

export async function evaluateSubset(
  tf: TF,
  model: LayersModel,
  subset: Subset,
  shape: [number, number, number],
  numClasses: number,
): Promise<{ loss: number; accuracy: number }> {
  const names = Array.from({ length: numClasses }, (_, i) => String(i));
  const { loss, accuracy } = await evaluateModel(tf, model, subset, shape, names, { examples: 0 });
  return { loss, accuracy };
}
