/** BatchNormalization in tfjs and in the step's graph (TensorFlow's fused kernels). */
import { LAYER_DEFAULTS } from '../../../common/layers/basics.js';
import type { BatchNormalizationLayer } from '../../../common/layers/batch-normalization.js';
import type { Out } from '../graph/graph-def.js';
import type { EngineLayer } from './engine-layer.js';

export const batchNormalizationEngine: EngineLayer<BatchNormalizationLayer> = {
  // Keras's defaults; tfjs's own default momentum (0.99) and epsilon (1e-3) match them.
  tfjs: (tf, layer, base) =>
    tf.layers.batchNormalization({
      ...base,
      momentum: layer.momentum ?? LAYER_DEFAULTS.momentum,
      epsilon: layer.epsilon ?? LAYER_DEFAULTS.epsilon,
    }),
  paramRoles: ['gamma', 'beta'],
  graph(b, layer, { layerIndex, inputs: [x], inputShapes: [inputShape], paramIndex }) {
    const o = b.o;
    const channels = inputShape[inputShape.length - 1];
    const epsilon = layer.epsilon ?? LAYER_DEFAULTS.epsilon;
    const momentum = layer.momentum ?? LAYER_DEFAULTS.momentum;
    const gammaIndex = paramIndex('gamma')!;
    const betaIndex = paramIndex('beta')!;
    const gamma = b.param(gammaIndex, [channels]);
    const beta = b.param(betaIndex, [channels]);
    // The fused kernel wants NHWC; a flat [batch, features] input is the same as [batch, 1, 1, features].
    const flat = inputShape.length === 2;
    const x4 = flat ? o.reshape(x, o.ints([-1, 1, 1, channels])) : x;
    const unflatten = (t: Out) => (flat ? o.reshape(t, o.ints([-1, channels])) : t);
    if (!b.training) {
      const moving: [Out, Out] = [b.state(`moving:${layerIndex}:mean`, [channels]), b.state(`moving:${layerIndex}:variance`, [channels])];
      const [y] = o.fusedBatchNorm(x4, gamma, beta, epsilon, moving);
      return [unflatten(y), () => undefined];
    }
    const [y4, batchMean, unbiased, ...reserves] = o.fusedBatchNorm(x4, gamma, beta, epsilon);
    // TensorFlow's batch variance is Bessel-corrected (n / (n - 1), or 1 when n = 1, where it is 0);
    // tfjs's moving variance averages the biased one. The factor is a scalar, n counted at run time.
    const n = o.div(o.sizeFloat(x), o.scalar(channels));
    const biased = o.mul(unbiased, o.div(o.maximum(o.sub(n, o.scalar(1)), o.scalar(0)), n));
    for (const [role, batchValue] of [
      ['mean', batchMean],
      ['variance', biased],
    ] as const) {
      const key = `moving:${layerIndex}:${role}`;
      const old = b.state(key, [channels]);
      b.update(key, o.sub(old, o.mul(o.sub(old, batchValue), o.scalar(1 - momentum))));
    }
    return [
      unflatten(y4),
      (dy) => {
        const dy4 = flat ? o.reshape(dy, o.ints([-1, 1, 1, channels])) : dy;
        const [dx4, dGamma, dBeta] = o.fusedBatchNormGrad(dy4, x4, gamma, reserves, epsilon);
        b.grads.set(`param:${gammaIndex}`, dGamma);
        b.grads.set(`param:${betaIndex}`, dBeta);
        return flat ? o.reshape(dx4, o.shape(x)) : dx4;
      },
    ];
  },
};
