import { describe, expect, it } from 'vitest';
import { splitProblem, validationCount } from '../../../common/split-counts.js';

describe('split counts', () => {
  it('holds out a rounded fraction, or a count', () => {
    expect(validationCount(8, 0.2)).toBe(2);
    expect(validationCount(10_000, 0.2)).toBe(2000);
    expect(validationCount(100, 7)).toBe(7);
  });

  it('names a batch larger than the training images left after the split, before anything trains', () => {
    expect(splitProblem(8, 0.2, 32)).toBe(
      'batch size 32 is larger than the 6 training images (8 images, 2 held out for validation); choose a batch size of at most 6',
    );
    expect(splitProblem(8, 0.2, 6)).toBeNull();
  });

  it('names a split that leaves no training images', () => {
    expect(splitProblem(5, 5, 1)).toContain('leaves no training images');
  });
});
