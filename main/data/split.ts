/**
 * Validation splits: seeded and stratified by class, so each class keeps its share in both parts and the
 * same seed always gives the same split.
 */
import { mulberry32, shuffleInPlace } from '../../common/random.js';
import { validationCount } from '../../common/split-counts.js';
import { DatasetError, type ImageSet, type Subset } from './dataset.js';

export interface SplitRecord {
  /** Fraction (0..1) or count (>= 1) asked for. */
  requested: number;
  seed: number;
  trainCount: number;
  validationCount: number;
  stratified: true;
}

export interface Split {
  train: Subset;
  validation: Subset;
  record: SplitRecord;
}

/**
 * Holds out `validation` images: a fraction when below 1, otherwise a count. Keras's validation_split takes
 * the last samples unshuffled; here every class contributes proportionally, chosen at random by `seed`.
 */
export function stratifiedSplit(set: ImageSet, validation: number, seed: number): Split {
  const total = set.count;
  const wanted = validationCount(total, validation);
  if (wanted < 0 || wanted >= total) {
    throw new DatasetError(`a validation split of ${validation} leaves no training images (the set has ${total})`);
  }
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < total; i++) {
    const label = set.labels[i];
    let list = byClass.get(label);
    if (!list) byClass.set(label, (list = []));
    list.push(i);
  }
  const random = mulberry32(seed ^ 0x5eed);
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  // Largest-remainder apportionment so the per-class quotas add up to exactly `wanted`.
  const exact = classes.map((c) => (byClass.get(c)!.length * wanted) / total);
  const quota = exact.map(Math.floor);
  let left = wanted - quota.reduce((a, b) => a + b, 0);
  const byRemainder = classes.map((_, k) => k).sort((a, b) => exact[b] - quota[b] - (exact[a] - quota[a]) || a - b);
  for (const k of byRemainder) {
    if (left <= 0) break;
    quota[k]++;
    left--;
  }
  const train: number[] = [];
  const val: number[] = [];
  classes.forEach((c, k) => {
    const members = shuffleInPlace([...byClass.get(c)!], random);
    val.push(...members.slice(0, quota[k]));
    train.push(...members.slice(quota[k]));
  });
  train.sort((a, b) => a - b);
  val.sort((a, b) => a - b);
  return {
    train: { source: set, indices: Uint32Array.from(train) },
    validation: { source: set, indices: Uint32Array.from(val) },
    record: { requested: validation, seed, trainCount: train.length, validationCount: val.length, stratified: true },
  };
}
