import { describe, expect, it } from 'vitest';
import { preset } from '../../../common/presets.js';
import { formatSummary, summarize } from '../../../common/summarize.js';
import type { ModelSpec } from '../../../common/spec.js';

// Hand-computed parameter counts for the seed CNN on 32x32x3 input:
//   conv 3x3x3x32+32 = 896, conv 3x3x32x32+32 = 9,248, conv 3x3x32x64+64 = 18,496,
//   conv 3x3x64x64+64 = 36,928, dense 2304x512+512 = 1,180,160, dense 512x10+10 = 5,130.
const SEED_TOTAL = 896 + 9248 + 18496 + 36928 + 1180160 + 5130;

describe('summarize', () => {
  it('matches the hand-computed seed baseline: 1,250,858 parameters', () => {
    const s = summarize(preset('seed-baseline').model, { numClasses: 10 });
    expect(SEED_TOTAL).toBe(1_250_858);
    expect(s.ok).toBe(true);
    expect(s.totalParams).toBe(1_250_858);
    expect(s.layers.map((l) => l.params)).toEqual([896, 9248, 0, 18496, 36928, 0, 0, 1180160, 5130]);
    expect(s.layers.map((l) => l.outputShape)).toEqual([
      [32, 32, 32],
      [30, 30, 32],
      [15, 15, 32],
      [15, 15, 64],
      [13, 13, 64],
      [6, 6, 64],
      [2304],
      [512],
      [10],
    ]);
    expect(formatSummary(s)).toContain('Total params: 1,250,858');
  });

  it('counts BatchNormalization as Keras does: 2 trainable and 2 non-trainable per channel', () => {
    const s = summarize(preset('seed-batchnorm').model);
    // four BN layers over 32, 32, 64, 64 channels
    const bn = 4 * (32 + 32 + 64 + 64);
    expect(s.totalParams).toBe(1_250_858 + bn);
    expect(s.nonTrainableParams).toBe(bn / 2);
    expect(s.trainableParams).toBe(1_250_858 + bn / 2);
  });

  it('adapts presets to MNIST shapes', () => {
    const s = summarize(preset('seed-both', { inputShape: [28, 28, 1], numClasses: 10 }).model, { numClasses: 10 });
    expect(s.ok).toBe(true);
    // 28 -> 28 -> 26 -> 13 -> 13 -> 11 -> 5: flatten 5*5*64 = 1600
    expect(s.layers.find((l) => l.type === 'Flatten')?.outputShape).toEqual([1600]);
  });

  it('reports a valid 3x3 convolution on a 2x2 input on that layer', () => {
    const spec: ModelSpec = {
      inputShape: [2, 2, 1],
      layers: [{ type: 'Conv2D', filters: 4, kernelSize: 3 }, { type: 'Flatten' }, { type: 'Dense', units: 2, activation: 'softmax' }],
    };
    const s = summarize(spec);
    expect(s.ok).toBe(false);
    expect(s.errors[0].layerIndex).toBe(0);
    expect(s.layers[0].error).toContain("a 3x3 kernel with 'valid' padding needs an input of at least 3x3, but this layer's input is 2x2");
  });

  it('reports Dense before Flatten on an image', () => {
    const spec: ModelSpec = { inputShape: [8, 8, 3], layers: [{ type: 'Dense', units: 10, activation: 'softmax' }] };
    const s = summarize(spec, { numClasses: 10 });
    expect(s.errors[0]).toMatchObject({ layerIndex: 0 });
    expect(s.layers[0].error).toContain('Dense needs a flat vector but its input is an image of 8x8x3; add Flatten');
  });

  it('reports an output layer that does not match the class count', () => {
    const spec = preset('seed-baseline').model;
    const s = summarize(spec, { numClasses: 100 });
    expect(s.ok).toBe(false);
    expect(s.errors[0].layerIndex).toBe(spec.layers.length - 1);
    expect(s.errors[0].message).toContain('the output layer has 10 units but the dataset has 100 classes');
  });

  it('reports a missing softmax on the output', () => {
    const spec: ModelSpec = { inputShape: [4, 4, 1], layers: [{ type: 'Flatten' }, { type: 'Dense', units: 3 }] };
    expect(summarize(spec, { numClasses: 3 }).errors[0].message).toContain('use activation softmax');
  });

  it('reports a convolution after Flatten', () => {
    const spec: ModelSpec = { inputShape: [8, 8, 1], layers: [{ type: 'Flatten' }, { type: 'Conv2D', filters: 2, kernelSize: 1 }] };
    expect(summarize(spec).layers[1].error).toContain('Conv2D needs an image');
  });

  it('computes strided same-padding shapes like Keras (ceil)', () => {
    const spec: ModelSpec = { inputShape: [7, 7, 1], layers: [{ type: 'Conv2D', filters: 1, kernelSize: 3, strides: 2, padding: 'same' }] };
    expect(summarize(spec).layers[0].outputShape).toEqual([4, 4, 1]);
  });

  it('blames a relu Activation added after Dense(softmax) and Dropout, not the Dense layer', () => {
    const spec: ModelSpec = {
      inputShape: [4, 4, 1],
      layers: [
        { type: 'Flatten' },
        { type: 'Dense', units: 10, activation: 'softmax' },
        { type: 'Dropout', rate: 0.25 },
        { type: 'Activation', activation: 'relu' },
      ],
    };
    const s = summarize(spec, { numClasses: 10 });
    expect(s.errors).toHaveLength(1);
    expect(s.errors[0].layerIndex).toBe(3);
    expect(s.layers[1].error).toBeUndefined();
    expect(s.layers[3].error).toContain('this Activation layer applies relu');
    expect(s.layers[3].error).not.toContain("the output layer's activation is relu");
  });

  it('accepts a softmax Activation layer after a linear Dense', () => {
    const spec: ModelSpec = {
      inputShape: [4, 4, 1],
      layers: [{ type: 'Flatten' }, { type: 'Dense', units: 3 }, { type: 'Activation', activation: 'softmax' }],
    };
    expect(summarize(spec, { numClasses: 3 }).ok).toBe(true);
  });

  const conv = (filters: number): ModelSpec => ({
    inputShape: [28, 28, 1],
    layers: [{ type: 'Conv2D', filters, kernelSize: 3 }, { type: 'Flatten' }, { type: 'Dense', units: 10, activation: 'softmax' }],
  });

  for (const [what, filters, shown] of [
    ['emptied', Number.NaN, 'empty'],
    ['negative', -5, '-5'],
    ['fractional', 2.5, '2.5'],
  ] as const) {
    it(`gives no shape or parameter count for ${what} filters, and names the field as the editor labels it`, () => {
      const s = summarize(conv(filters), { numClasses: 10 });
      expect(s.ok).toBe(false);
      expect(s.layers[0].outputShape).toBeNull();
      expect(s.layers[0].error).toBe(`Filters is ${shown}; enter a whole number from 1 to 4096`);
      for (const n of [s.totalParams, s.trainableParams, ...s.layers.map((l) => l.params)]) {
        expect(Number.isFinite(n) && n >= 0 && Number.isInteger(n)).toBe(true);
      }
      expect(s.outputShape).toBeNull();
      expect(formatSummary(s)).not.toMatch(/NaN|params: -/);
    });
  }

  it('explains a kernel larger than the input by the input, not by the generic kernel limit', () => {
    const spec: ModelSpec = { inputShape: [28, 28, 1], layers: [{ type: 'Conv2D', filters: 8, kernelSize: 40 }] };
    expect(summarize(spec).layers[0].error).toContain("a 40x40 kernel with 'valid' padding needs an input of at least 40x40");
  });

  it("names the input when a kernel is larger than it, with 'same' padding too", () => {
    const spec: ModelSpec = { inputShape: [28, 28, 1], layers: [{ type: 'Conv2D', filters: 8, kernelSize: 40, padding: 'same' }] };
    expect(summarize(spec).layers[0].error).toBe("a 40x40 kernel is larger than this layer's 28x28 input; use a kernel of at most 28x28");
  });
});

describe('formatSummary', () => {
  /** Where each of the header's columns starts, by its title. */
  const columnStarts = (header: string) => ['Layer (type)', 'Output Shape', 'Param #'].map((t) => header.indexOf(t));

  it("prints Keras's columns, every cell starting under its title, however long the layer names", () => {
    const model: ModelSpec = {
      inputShape: [32, 32, 3],
      layers: [
        { type: 'Conv2D', filters: 8, kernelSize: 3, name: 'a_very_long_layer_name_that_keras_would_wrap' },
        { type: 'Flatten' },
        { type: 'Dense', units: 10, activation: 'softmax' },
      ],
    };
    const lines = formatSummary(summarize(model)).split('\n');
    const header = lines.find((l) => l.startsWith('Layer (type)'))!;
    const starts = columnStarts(header);
    expect(starts.every((s) => s >= 0)).toBe(true);
    const rows = lines.filter((l) => /\((Conv2D|Flatten|Dense)\)/.test(l));
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      // Each cell begins exactly where its column does, after at least one space: nothing runs together.
      expect(row[starts[1] - 1], row).toBe(' ');
      expect(row[starts[2] - 1], row).toBe(' ');
      expect(row.slice(starts[1], starts[2]).trim(), row).toMatch(/^\(None, [\d, ]+\)$/);
      expect(row.slice(starts[2]).trim(), row).toMatch(/^[\d,]+$/);
    }
    expect(rows[0]).toContain('a_very_long_layer_name_that_keras_would_wrap (Conv2D)');
    expect(rows[0].slice(starts[2]).trim()).toBe('224');
    // The rules span the widened table.
    expect(lines[1]).toBe('_'.repeat(lines[1].length));
    expect(lines[1].length).toBeGreaterThanOrEqual(starts[2] + 'Param #'.length);
  });

  it("keeps Keras's widths for ordinary names", () => {
    const header = formatSummary(summarize(preset('seed-baseline').model, { numClasses: 10 }))
      .split('\n')
      .find((l) => l.startsWith('Layer (type)'))!;
    expect(columnStarts(header)).toEqual([0, 34, 60]);
  });
});
