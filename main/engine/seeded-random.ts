/**
 * TensorFlow.js draws its weight initializers and dropout masks from seeds taken from Math.random when a
 * layer has no seed of its own. While a run trains, Math.random is replaced by a seeded generator so the same
 * seed gives the same weights, the same masks and so the same metrics. Training owns its process (CLI,
 * training process), so nothing else depends on Math.random meanwhile.
 */
import { mulberry32 } from '../../common/random.js';

const original = Math.random;

/** Mixes the run seed with a stream name and number (epoch), so each epoch's draws stand alone. */
export function deriveSeed(seed: number, stream: string, n = 0): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const ch of `${stream}:${n}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

export function seedMathRandom(seed: number): void {
  Math.random = mulberry32(seed);
}

export function restoreMathRandom(): void {
  Math.random = original;
}
