/** LayerNormalization in tfjs and in the step's graph (written out: TensorFlow has no fused kernel for it). */
import type { LayerNormalizationLayer } from '../../../common/layers/layer-normalization.js';
import type { Out } from '../graph/graph-def.js';
import type { EngineLayer, TfLayer } from './engine-layer.js';
import { trainableLayerNormalization } from './tfjs-layer-normalization.js';

export const layerNormalizationEngine: EngineLayer<LayerNormalizationLayer> = {
  tfjs: (tf, layer, base) =>
    new (trainableLayerNormalization(tf))({
      ...base,
      axis: -1,
      // Keras 3's default; tfjs's is the same 1e-3.
      epsilon: layer.epsilon ?? 1e-3,
      center: layer.center !== false,
      scale: layer.scale !== false,
    }) as TfLayer,
  paramRoles: ['gamma', 'beta'],
  graph(b, layer, { inputs: [x], inputShapes: [inputShape], paramIndex }) {
    const o = b.o;
    const channels = inputShape[inputShape.length - 1];
    const gammaIndex = paramIndex('gamma');
    const betaIndex = paramIndex('beta');
    const gamma = gammaIndex !== undefined ? b.param(gammaIndex, [channels]) : undefined;
    const beta = betaIndex !== undefined ? b.param(betaIndex, [channels]) : undefined;
    // Per example and position: mean and (biased) variance over the last axis.
    const mean = o.mean(x, [-1], true);
    const centered = o.sub(x, mean);
    const variance = o.mean(o.mul(centered, centered), [-1], true);
    const inv = o.unary('Rsqrt', o.add(variance, o.scalar(layer.epsilon ?? 1e-3)));
    const xHat = o.mul(centered, inv);
    const scaled = gamma ? o.mul(xHat, gamma) : xHat;
    const y = beta ? o.add(scaled, beta) : scaled;
    // The sum over every axis but the last: a weight's gradient.
    const perChannel = (t: Out) => o.sum(o.reshape(t, o.ints([-1, channels])), [0], false);
    return [
      y,
      (dy) => {
        if (betaIndex !== undefined) b.grads.set(`param:${betaIndex}`, perChannel(dy));
        if (gammaIndex !== undefined) b.grads.set(`param:${gammaIndex}`, perChannel(o.mul(dy, xHat)));
        // dx = inv * (dxHat - mean(dxHat) - xHat * mean(dxHat * xHat)), the means over the last axis.
        const dxHat = gamma ? o.mul(dy, gamma) : dy;
        const meanD = o.mean(dxHat, [-1], true);
        const meanDX = o.mean(o.mul(dxHat, xHat), [-1], true);
        return o.mul(inv, o.sub(o.sub(dxHat, meanD), o.mul(xHat, meanDX)));
      },
    ];
  },
};
