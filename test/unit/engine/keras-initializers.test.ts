/**
 * Fresh weights start as Keras starts them: Conv2D, Dense, depthwise and pointwise kernels glorot-uniform, i.e. uniform within
 * ±sqrt(6 / (fan_in + fan_out)), biases zero, and the same seed gives the same weights.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../../common/spec.js';
import { buildModel } from '../../../main/engine/build-model.js';
import { deriveSeed, restoreMathRandom, seedMathRandom } from '../../../main/engine/seeded-random.js';
import type { EngineBackend, LayersModel } from '../../../main/engine/tf-types.js';
import { testBackend } from '../helpers/backend.js';

let backend: EngineBackend;
beforeAll(async () => {
  backend = await testBackend();
});
afterEach(() => restoreMathRandom());

// Large enough layers that a uniform draw reaches close to its bound and the spread is unmistakable.
const spec: ModelSpec = {
  name: 'fans',
  inputShape: [8, 8, 32],
  layers: [
    { type: 'Conv2D', filters: 64, kernelSize: 3, padding: 'same' },
    { type: 'GlobalAveragePooling2D' },
    { type: 'Dense', units: 256, activation: 'relu' },
    { type: 'Dense', units: 10, activation: 'softmax' },
  ],
};

function seededModel(seed: number): LayersModel {
  seedMathRandom(deriveSeed(seed, 'init'));
  return buildModel(backend.tf, spec, 10);
}

/** Keras's fans: a conv kernel [kh, kw, in, out] has fan_in kh*kw*in and fan_out kh*kw*out. */
function glorotLimit(shape: number[]): number {
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const fanIn = receptive * shape[shape.length - 2];
  const fanOut = receptive * shape[shape.length - 1];
  return Math.sqrt(6 / (fanIn + fanOut));
}

describe('initial weights follow Keras defaults', () => {
  it('draws Conv2D and Dense kernels uniformly within the glorot bound, biases zero', () => {
    const model = seededModel(7);
    const layers = model.layers.filter((l) => ['Conv2D', 'Dense'].includes(l.getClassName()));
    expect(layers.map((l) => l.getClassName())).toEqual(['Conv2D', 'Dense', 'Dense']);
    for (const layer of layers) {
      const [kernel, bias] = layer.getWeights();
      const limit = glorotLimit(kernel.shape);
      const values = Array.from(kernel.dataSync());
      const maxAbs = Math.max(...values.map(Math.abs));
      expect(maxAbs, layer.name).toBeLessThanOrEqual(limit);
      if (values.length >= 10_000) {
        // A uniform draw of this many values comes within 0.1% of its bound; glorot-normal (truncated at two
        // standard deviations, sqrt(8 / (fan_in + fan_out))) overshoots it.
        expect(maxAbs, layer.name).toBeGreaterThan(0.999 * limit);
        // Uniform puts half its values within half the bound; a normal of the same variance about 62%.
        const inner = values.filter((v) => Math.abs(v) < limit / 2).length / values.length;
        expect(inner, layer.name).toBeGreaterThan(0.48);
        expect(inner, layer.name).toBeLessThan(0.52);
      }
      expect(
        Array.from(bias.dataSync()).every((b) => b === 0),
        layer.name,
      ).toBe(true);
    }
    model.dispose();
  });

  it('draws the depthwise and pointwise kernels of DepthwiseConv2D and SeparableConv2D the same way', () => {
    seedMathRandom(deriveSeed(7, 'init'));
    const model = buildModel(
      backend.tf,
      {
        name: 'depthwise fans',
        inputShape: [8, 8, 32],
        layers: [
          { type: 'DepthwiseConv2D', kernelSize: 5, padding: 'same', depthMultiplier: 16 },
          { type: 'SeparableConv2D', filters: 32, kernelSize: 1 },
          { type: 'GlobalAveragePooling2D' },
          { type: 'Dense', units: 10, activation: 'softmax' },
        ],
      },
      10,
    );
    // depthwise [5, 5, 32, 16]; then depthwise [1, 1, 512, 1] and pointwise [1, 1, 512, 32].
    const kernels = [model.layers[0].getWeights()[0], model.layers[1].getWeights()[1]];
    for (const kernel of kernels) {
      const limit = glorotLimit(kernel.shape);
      const values = Array.from(kernel.dataSync());
      expect(values.length).toBeGreaterThanOrEqual(10_000);
      const maxAbs = Math.max(...values.map(Math.abs));
      expect(maxAbs).toBeLessThanOrEqual(limit);
      expect(maxAbs).toBeGreaterThan(0.999 * limit);
      const inner = values.filter((v) => Math.abs(v) < limit / 2).length / values.length;
      expect(inner).toBeGreaterThan(0.48);
      expect(inner).toBeLessThan(0.52);
    }
    model.dispose();
  });

  it('gives the same weights for the same seed and other weights for another', () => {
    const kernels = (m: LayersModel) => Array.from(m.layers[0].getWeights()[0].dataSync());
    const a = seededModel(3);
    const b = seededModel(3);
    const c = seededModel(4);
    expect(kernels(b)).toEqual(kernels(a));
    expect(kernels(c)).not.toEqual(kernels(a));
    [a, b, c].forEach((m) => m.dispose());
  });
});
