/**
 * Evaluating a trained model on held-out images: loss and accuracy, the confusion matrix, per-class
 * precision / recall / accuracy, and the examples the model got wrong with the most confidence.
 * Predictions are made in chunks, so memory stays flat on large test sets.
 */
import type { Subset } from '../data/dataset.js';
import { makeBatch } from './batches.js';
import { makeForward, type Forward } from './graph/forward.js';
import type { LayersModel, TF, Tensor } from './tf-types.js';

const CHUNK = 256;
/** Keras clips probabilities to [epsilon, 1 - epsilon] (1e-7) before taking the log. */
const EPSILON = 1e-7;

export interface ClassReport {
  name: string;
  /** Images of this class in the set. */
  support: number;
  /** Of the images predicted as this class, the share that are: TP / (TP + FP); NaN when none was predicted. */
  precision: number;
  /** Of the images of this class, the share found: TP / (TP + FN), also called per-class accuracy in many tools. */
  recall: number;
  /** One-vs-rest accuracy: (TP + TN) / all images. */
  accuracy: number;
}

export interface Misclassified {
  /** Index of the image in the dataset part it came from (test set or training set for a validation split). */
  index: number;
  trueLabel: number;
  predicted: number;
  /** The probability the model gave its (wrong) prediction. */
  confidence: number;
  /** The probability it gave the true class. */
  trueProbability: number;
}

export interface Evaluation {
  count: number;
  loss: number;
  accuracy: number;
  classNames: string[];
  /** confusion[true][predicted] image counts. */
  confusion: number[][];
  perClass: ClassReport[];
  /** Most confidently wrong first. */
  misclassified: Misclassified[];
}

export async function evaluateModel(
  tf: TF,
  model: LayersModel,
  subset: Subset,
  shape: [number, number, number],
  classNames: string[],
  /** forward: a forward pass to reuse (its owner disposes it); absent, one is made for this evaluation. */
  options: { examples?: number; forward?: Forward } = {},
): Promise<Evaluation> {
  const k = classNames.length;
  const n = subset.indices.length;
  if (n === 0) throw new Error('there are no images to evaluate on');
  const keep = options.examples ?? 16;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const wrong: Misclassified[] = [];
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  let lossSum = 0;
  const forward = options.forward ?? makeForward(tf, model);
  try {
    for (let start = 0; start < n; start += CHUNK) {
      const end = Math.min(n, start + CHUNK);
      const { xs, ys } = makeBatch(tf, subset, order, start, end, shape, k, true);
      let probsTensor: Tensor;
      try {
        probsTensor = forward.run(xs);
      } finally {
        tf.dispose([xs, ys]);
      }
      const probs = (await probsTensor.data()) as Float32Array;
      probsTensor.dispose();
      for (let row = 0; row < end - start; row++) {
        const index = subset.indices[start + row];
        const truth = subset.source.labels[index];
        const p = probs.subarray(row * k, (row + 1) * k);
        let predicted = 0;
        for (let c = 1; c < k; c++) if (p[c] > p[predicted]) predicted = c;
        lossSum -= Math.log(Math.min(1 - EPSILON, Math.max(EPSILON, p[truth])));
        confusion[truth][predicted]++;
        if (predicted !== truth) wrong.push({ index, trueLabel: truth, predicted, confidence: p[predicted], trueProbability: p[truth] });
      }
      // Keep only the most confident mistakes as we go, so a poor model on a big set stays cheap.
      if (wrong.length > keep * 4) {
        wrong.sort((a, b) => b.confidence - a.confidence);
        wrong.length = keep;
      }
    }
  } finally {
    if (!options.forward) forward.dispose();
  }
  wrong.sort((a, b) => b.confidence - a.confidence || a.index - b.index);
  let correct = 0;
  for (let c = 0; c < k; c++) correct += confusion[c][c];
  const perClass = classNames.map((name, c) => {
    const tp = confusion[c][c];
    const support = confusion[c].reduce((a, b) => a + b, 0);
    const predictedAs = confusion.reduce((a, row) => a + row[c], 0);
    const tn = n - support - predictedAs + tp;
    return {
      name,
      support,
      precision: predictedAs > 0 ? tp / predictedAs : NaN,
      recall: support > 0 ? tp / support : NaN,
      accuracy: (tp + tn) / n,
    };
  });
  return { count: n, loss: lossSum / n, accuracy: correct / n, classNames, confusion, perClass, misclassified: wrong.slice(0, keep) };
}
