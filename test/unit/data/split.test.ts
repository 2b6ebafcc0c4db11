import { describe, expect, it } from 'vitest';
import { classCounts, type ImageSet } from '../../../main/data/dataset.js';
import { stratifiedSplit } from '../../../main/data/split.js';

function set(perClass: number[]): ImageSet {
  const labels: number[] = [];
  perClass.forEach((n, c) => {
    for (let i = 0; i < n; i++) labels.push(c);
  });
  // Interleave classes as real data is, so stratification is not just taking a block.
  const order = labels.map((l, i) => ({ l, k: (i * 7919) % labels.length })).sort((a, b) => a.k - b.k);
  return { images: new Uint8Array(labels.length), labels: Uint16Array.from(order.map((o) => o.l)), count: labels.length };
}

describe('stratified validation split', () => {
  it('the seed experiment: 40,000 / 10,000 from 50,000, 1,000 per class held out', () => {
    const s = stratifiedSplit(set(new Array(10).fill(5000)), 10000, 42);
    expect(s.record).toEqual({ requested: 10000, seed: 42, trainCount: 40000, validationCount: 10000, stratified: true });
    expect(classCounts(s.validation, 10)).toEqual(new Array(10).fill(1000));
    expect(classCounts(s.train, 10)).toEqual(new Array(10).fill(4000));
  });

  it('a fraction keeps each class share; parts are disjoint and cover the set', () => {
    const data = set([50, 30, 20]);
    const s = stratifiedSplit(data, 0.2, 1);
    expect(classCounts(s.validation, 3)).toEqual([10, 6, 4]);
    const all = [...s.train.indices, ...s.validation.indices].sort((a, b) => a - b);
    expect(all).toEqual([...Array(100).keys()]);
  });

  it('uneven quotas still add up exactly (largest remainder)', () => {
    const s = stratifiedSplit(set([7, 7, 7]), 10, 3);
    expect(s.validation.indices.length).toBe(10);
    const counts = classCounts(s.validation, 3);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });

  it('is reproducible with the same seed and differs with another', () => {
    const data = set([40, 40]);
    const a = stratifiedSplit(data, 0.25, 7);
    const b = stratifiedSplit(data, 0.25, 7);
    const c = stratifiedSplit(data, 0.25, 8);
    expect([...a.validation.indices]).toEqual([...b.validation.indices]);
    expect([...a.validation.indices]).not.toEqual([...c.validation.indices]);
  });

  it('0 holds out nothing; a split leaving no training images is refused', () => {
    expect(stratifiedSplit(set([3, 3]), 0, 1).validation.indices.length).toBe(0);
    expect(() => stratifiedSplit(set([3, 3]), 6, 1)).toThrow(/leaves no training images \(the set has 6\)/);
    expect(() => stratifiedSplit(set([3, 3]), 0.999, 1)).toThrow(/leaves no training images/);
  });
});
