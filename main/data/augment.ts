/**
 * Training-time augmentation on uint8 HWC pixels, done in JS on the gathered batch before it becomes a
 * tensor: a random horizontal flip and a random shift with zero padding (the "pad by N, random crop back"
 * of the CIFAR literature). Draws come from the given seeded generator, so a run is reproducible.
 */
import type { Augmentation } from '../../common/spec.js';

export function augmentationEnabled(aug: Augmentation | undefined): aug is Augmentation {
  return !!aug && (aug.horizontalFlip || aug.shiftPixels > 0);
}

/** Changes `count` images of `shape` in `pixels` in place. */
export function augmentBatch(
  pixels: Uint8Array,
  count: number,
  shape: [number, number, number],
  aug: Augmentation,
  random: () => number,
): void {
  const [h, w, c] = shape;
  const size = h * w * c;
  const rowBytes = w * c;
  const source = new Uint8Array(size);
  const s = aug.shiftPixels;
  for (let k = 0; k < count; k++) {
    const flip = aug.horizontalFlip && random() < 0.5;
    const dy = s > 0 ? Math.floor(random() * (2 * s + 1)) - s : 0;
    const dx = s > 0 ? Math.floor(random() * (2 * s + 1)) - s : 0;
    if (!flip && dx === 0 && dy === 0) continue;
    const image = pixels.subarray(k * size, (k + 1) * size);
    source.set(image);
    // out(y, x) = in(y - dy, flipped(x) - dx); outside the source is zero.
    for (let y = 0; y < h; y++) {
      const sy = y - dy;
      const outRow = y * rowBytes;
      if (sy < 0 || sy >= h) {
        image.fill(0, outRow, outRow + rowBytes);
        continue;
      }
      for (let x = 0; x < w; x++) {
        const shifted = x - dx;
        const sx = flip ? w - 1 - shifted : shifted;
        const out = outRow + x * c;
        if (shifted < 0 || shifted >= w) {
          for (let ch = 0; ch < c; ch++) image[out + ch] = 0;
        } else {
          const from = sy * rowBytes + sx * c;
          for (let ch = 0; ch < c; ch++) image[out + ch] = source[from + ch];
        }
      }
    }
  }
}
