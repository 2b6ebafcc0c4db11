import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../common/random.js';
import { augmentationEnabled, augmentBatch } from '../../../main/data/augment.js';

const shape: [number, number, number] = [3, 4, 2];
const image = () => Uint8Array.from({ length: 24 }, (_, i) => i + 1);
const at = (px: Uint8Array, y: number, x: number, c: number) => px[(y * 4 + x) * 2 + c];

describe('augmentation', () => {
  it('is off unless flip or shift is asked for', () => {
    expect(augmentationEnabled({ horizontalFlip: false, shiftPixels: 0 })).toBe(false);
    expect(augmentationEnabled({ horizontalFlip: true, shiftPixels: 0 })).toBe(true);
    expect(augmentationEnabled(undefined)).toBe(false);
  });

  it('a flip mirrors each row and keeps channels together', () => {
    const px = image();
    augmentBatch(px, 1, shape, { horizontalFlip: true, shiftPixels: 0 }, () => 0.1);
    const orig = image();
    for (let y = 0; y < 3; y++) for (let x = 0; x < 4; x++) for (let c = 0; c < 2; c++) expect(at(px, y, x, c)).toBe(at(orig, y, 3 - x, c));
  });

  it('a shift moves pixels and pads the border with zeros', () => {
    // random() = 1 - tiny draws the largest shift (+s) for both dy and dx.
    const px = image();
    augmentBatch(px, 1, shape, { horizontalFlip: false, shiftPixels: 1 }, () => 0.999);
    const orig = image();
    expect(at(px, 0, 0, 0)).toBe(0);
    expect(at(px, 1, 0, 1)).toBe(0);
    expect(at(px, 1, 1, 0)).toBe(at(orig, 0, 0, 0));
    expect(at(px, 2, 3, 1)).toBe(at(orig, 1, 2, 1));
  });

  it('is reproducible from the seed and touches only the images given', () => {
    const batch = () => Uint8Array.from({ length: 24 * 5 }, (_, i) => (i * 7) & 0xff);
    const a = batch();
    const b = batch();
    augmentBatch(a, 4, shape, { horizontalFlip: true, shiftPixels: 2 }, mulberry32(5));
    augmentBatch(b, 4, shape, { horizontalFlip: true, shiftPixels: 2 }, mulberry32(5));
    expect([...a]).toEqual([...b]);
    expect([...a]).not.toEqual([...batch()]);
    expect([...a.subarray(96)]).toEqual([...batch().subarray(96)]);
  });
});
