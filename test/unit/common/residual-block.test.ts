import { describe, expect, it } from 'vitest';
import { identityShortcutProblem, residualBlock } from '../../../common/blocks/residual-block.js';
import { summarize } from '../../../common/summarize.js';
import type { LayerSpec, ModelSpec } from '../../../common/spec.js';

const model = (layers: LayerSpec[]): ModelSpec => ({ inputShape: [8, 8, 16], layers });

describe('residual block', () => {
  it('with an identity shortcut adds the block input to the second BatchNormalization', () => {
    const layers = residualBlock({ prefix: 'b1', input: 'input', inputChannels: 16, filters: 16, strides: 1 });
    const add = layers.find((l) => l.type === 'Add');
    expect(add?.inputs).toEqual(['b1_bn2', 'input']);
    const s = summarize(model(layers));
    expect(s.errors).toEqual([]);
    expect(s.outputShape).toEqual([8, 8, 16]);
    // Two 3x3x16x16 kernels without bias, two BatchNormalizations of 16 channels (4 x 16 each, half trainable).
    expect(s.trainableParams).toBe(2 * 3 * 3 * 16 * 16 + 2 * 2 * 16);
    expect(s.nonTrainableParams).toBe(2 * 2 * 16);
  });

  it('projects the shortcut with a strided 1x1 Conv2D where the shape changes', () => {
    const layers = residualBlock({ prefix: 'b2', input: 'input', inputChannels: 16, filters: 32, strides: 2 });
    expect(layers.map((l) => l.name)).toContain('b2_proj');
    const s = summarize(model(layers));
    expect(s.errors).toEqual([]);
    expect(s.outputShape).toEqual([4, 4, 32]);
    const proj = s.layers.find((l) => l.name === 'b2_proj');
    expect(proj?.outputShape).toEqual([4, 4, 32]);
    expect(proj?.params).toBe(16 * 32);
  });

  it('says why an identity shortcut cannot be used, and forcing one gives a graph error on the Add', () => {
    expect(identityShortcutProblem({ inputChannels: 16, filters: 32, strides: 1 })).toMatch(/16 channels.*32 filters/);
    expect(identityShortcutProblem({ inputChannels: 16, filters: 16, strides: 2 })).toMatch(/strides 2/);
    expect(identityShortcutProblem({ inputChannels: 16, filters: 16, strides: 1 })).toBeUndefined();
    const forced = residualBlock({ prefix: 'b3', input: 'input', inputChannels: 16, filters: 32, strides: 1, shortcut: 'identity' });
    const s = summarize(model(forced));
    expect(s.ok).toBe(false);
    expect(s.errors.map((e) => e.message).join('\n')).toMatch(/b3_add/);
  });

  it('chains: the second block reads the first block output', () => {
    const first = residualBlock({ prefix: 'a', input: 'input', inputChannels: 16, filters: 16, strides: 1 });
    const second = residualBlock({ prefix: 'b', input: 'a_out', inputChannels: 16, filters: 32, strides: 2 });
    const s = summarize(model([...first, ...second]));
    expect(s.errors).toEqual([]);
    expect(s.outputShape).toEqual([4, 4, 32]);
  });
});
