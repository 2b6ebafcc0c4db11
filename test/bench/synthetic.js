// Deterministic synthetic CIFAR-shaped data (32x32x3 uint8, 10 classes): the same bytes for every run,
// every framework and every machine, so only the software differs between the numbers.
import { mulberry32 } from '../../dist/common/random.js';

export const SHAPE = [32, 32, 3];
export const CLASSES = 10;

/**
 * `count` images, HWC uint8, and their labels (uint8, 0..9), from `seed`. Each class has its own mean
 * colour under uniform noise, so the data is learnable: a model trained on pure noise with random labels
 * memorizes, grows overconfident and its loss climbs (enough to trip the engine's divergence guard),
 * which real data does not do. Speed does not depend on the pixel values.
 */
export function syntheticImages(count, seed = 1234) {
  const random = mulberry32(seed);
  const channels = SHAPE[2];
  const size = SHAPE[0] * SHAPE[1] * channels;
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) labels[i] = Math.floor(random() * CLASSES);
  const images = new Uint8Array(count * size);
  const words = new Uint32Array(images.buffer, 0, Math.floor(images.length / 4));
  // Four pixel bytes per random draw keeps 50,000 images (150 MB) at about a second.
  for (let i = 0; i < words.length; i++) words[i] = Math.floor(random() * 4294967296);
  for (let i = words.length * 4; i < images.length; i++) images[i] = Math.floor(random() * 256);
  // Faint class colours (up to 24 levels) under strong noise: learnable, but slowly, as real photos are.
  const offsets = Array.from({ length: CLASSES }, (_, c) => Array.from({ length: channels }, (_, ch) => (c * [7, 11, 13][ch]) % 25));
  for (let i = 0; i < count; i++) {
    const offset = offsets[labels[i]];
    for (let p = i * size, end = p + size; p < end; p += channels) {
      for (let ch = 0; ch < channels; ch++) images[p + ch] = ((images[p + ch] * 231) >> 8) + offset[ch];
    }
  }
  return { images, labels, count };
}

/** The engine's Dataset for these images (labels widened to the engine's Uint16Array). */
export function asDataset(images, labels, count) {
  return {
    id: `synthetic-${count}`,
    name: `synthetic 32x32x3, ${count} images`,
    inputShape: [...SHAPE],
    classNames: Array.from({ length: CLASSES }, (_, i) => `class${i}`),
    train: { images, labels: Uint16Array.from(labels), count },
    source: 'test/bench/synthetic.js',
  };
}
