/**
 * tfjs's initializer for each Keras initializer name Layerbench offers (common/layers/initializers.ts), with
 * Keras's distribution and arguments (tfjs's random_normal, random_uniform and truncated_normal defaults are
 * Keras's). Drawn from the run's seeded Math.random like every first weight.
 */
import { DEFAULT_BIAS_INITIALIZER, DEFAULT_KERNEL_INITIALIZER, type Initializer } from '../../../common/layers/initializers.js';

import type { TF } from '../tf-types.js';

/**
 * Keras draws its variance-scaling normals truncated at two standard deviations from a normal widened by
 * 1 / 0.8796 so the truncated draw keeps the variance asked for; tfjs truncates without widening (its
 * he_normal spreads 12% less). Scaling tfjs's variance by 1 / 0.8796^2 gives Keras's draw.
 */
const TRUNCATION = 0.87962566103423978;
const NORMALS: Partial<Record<Initializer, { scale: number; mode: 'fanIn' | 'fanAvg' }>> = {
  glorot_normal: { scale: 1, mode: 'fanAvg' },
  he_normal: { scale: 2, mode: 'fanIn' },
  lecun_normal: { scale: 1, mode: 'fanIn' },
};

const TFJS: Record<Initializer, string> = {
  glorot_uniform: 'glorotUniform',
  glorot_normal: 'glorotNormal',
  he_normal: 'heNormal',
  he_uniform: 'heUniform',
  lecun_normal: 'leCunNormal',
  lecun_uniform: 'leCunUniform',
  zeros: 'zeros',
  ones: 'ones',
  random_normal: 'randomNormal',
  random_uniform: 'randomUniform',
  truncated_normal: 'truncatedNormal',
};

/** tfjs's kernelInitializer and biasInitializer for a layer (Keras's defaults when the spec leaves them out). */
export function tfjsInitializers(tf: TF, layer: { kernelInitializer?: Initializer; biasInitializer?: Initializer }) {
  return {
    kernelInitializer: tfjsInitializer(tf, layer.kernelInitializer ?? DEFAULT_KERNEL_INITIALIZER),
    biasInitializer: tfjsInitializer(tf, layer.biasInitializer ?? DEFAULT_BIAS_INITIALIZER),
  };
}

function tfjsInitializer(tf: TF, name: Initializer) {
  const normal = NORMALS[name];
  if (!normal) return TFJS[name];
  return tf.initializers.varianceScaling({ scale: normal.scale / TRUNCATION ** 2, mode: normal.mode, distribution: 'normal' });
}
