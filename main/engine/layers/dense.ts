/** Dense in tfjs and in the step's graph. */
import type { DenseLayer } from '../../../common/layers/dense.js';
import { type EngineLayer } from './engine-layer.js';
import { tfjsInitializers } from './initializers.js';
import { tfjsActivation } from './tfjs-activations.js';

export const denseEngine: EngineLayer<DenseLayer> = {
  tfjs: (tf, layer, base) =>
    tf.layers.dense({
      ...base,
      units: layer.units,
      activation: tfjsActivation(tf, layer.activation),
      useBias: layer.useBias ?? true,
      ...tfjsInitializers(tf, layer),
    }),
  paramRoles: ['kernel', 'bias'],
  graph(b, layer, { inputs: [x], inputShapes: [inputShape], paramIndex }) {
    const o = b.o;
    const kernelIndex = paramIndex('kernel')!;
    const biasIndex = paramIndex('bias');
    const kernelShape = [inputShape[1], layer.units];
    const w = b.param(kernelIndex, kernelShape);
    const linear = o.matMul(x, w);
    const bias = biasIndex !== undefined ? b.param(biasIndex, [layer.units]) : undefined;
    const z = bias ? o.biasAdd(linear, bias) : linear;
    const [a, activationBackward] = b.activation(z, layer.activation ?? 'linear');
    return [
      a,
      (da, needInput) => {
        const dz = activationBackward(da);
        if (biasIndex !== undefined) b.grads.set(`param:${biasIndex}`, o.biasAddGrad(dz));
        b.grads.set(`param:${kernelIndex}`, o.matMul(x, dz, true, false));
        return needInput ? o.matMul(dz, w, false, true) : undefined;
      },
    ];
  },
};
