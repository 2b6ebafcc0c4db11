/**
 * Inserting and removing a residual block in the editor's layer list: the block reads the layer before it,
 * what followed now reads the block, names never collide, and the model stays valid (checked with the
 * same validation and summary the editor shows) in the middle of a chain, at the start, and in a graph.
 */
import { describe, expect, it } from 'vitest';
import type { LayerSpec, ModelSpec } from '../../../common/spec.js';
import { validateModel } from '../../../common/schema.js';
import { layerNames, summarize } from '../../../common/summarize.js';
import {
  findBlocks,
  freshBlockPrefix,
  identityProblem,
  insertResidualBlock,
  insertionPoint,
  removeResidualBlock,
} from '../../../renderer/src/lib/residual-block-edit.js';

const CHAIN: LayerSpec[] = [
  { type: 'Conv2D', filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' },
  { type: 'Conv2D', filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' },
  { type: 'GlobalAveragePooling2D' },
  { type: 'Dense', units: 10, activation: 'softmax' },
];

function model(layers: LayerSpec[]): ModelSpec {
  return { inputShape: [28, 28, 1], layers };
}

/** No validation issue and no shape error: what the editor needs to allow training. */
function expectValid(layers: LayerSpec[]): void {
  const v = validateModel(model(layers));
  expect(v.ok ? [] : v.issues.map((i) => i.message)).toEqual([]);
  const s = summarize(model(layers), { numClasses: 10 });
  expect(s.errors).toEqual([]);
}

describe('inserting a residual block', () => {
  it('in the middle of a chain: the block reads the layer before it and the next layer reads the block', () => {
    const { layers, prefix, count } = insertResidualBlock(CHAIN, 1, 8, { filters: 16, strides: 2, shortcut: 'projection' });
    expect(prefix).toBe('res1');
    expect(count).toBe(9);
    expect(layers).toHaveLength(CHAIN.length + 9);
    expect(layers[1]).toMatchObject({ name: 'res1_conv1', inputs: ['conv2d'], strides: 2, filters: 16 });
    expect(layers[8]).toMatchObject({ name: 'res1_add', inputs: ['res1_bn2', 'res1_proj_bn'] });
    expectValid(layers);
    const s = summarize(model(layers), { numClasses: 10 });
    const names = layerNames(layers);
    // The second Conv2D, which read the first implicitly, now reads the block's output: 14x14x16 in.
    expect(names[10]).toBe('conv2d_1');
    expect(s.layers[10].inputs).toEqual([9]);
    expect(s.layers[9].outputShape).toEqual([14, 14, 16]);
    expect(s.layers[10].params).toBe(3 * 3 * 16 * 8 + 8);
  });

  it('at the start: the block reads the model input', () => {
    const { layers } = insertResidualBlock(CHAIN, 0, 1, { filters: 8, strides: 1, shortcut: 'projection' });
    expect(layers[0]).toMatchObject({ name: 'res1_conv1', inputs: ['input'] });
    expect(layers[5]).toMatchObject({ name: 'res1_proj', inputs: ['input'] });
    expectValid(layers);
  });

  it('an identity block keeps the shape and reads the block input in the Add', () => {
    const { layers } = insertResidualBlock(CHAIN, 2, 8, { filters: 8, strides: 1, shortcut: 'identity' });
    expect(layers.find((l) => l.name === 'res1_add')).toMatchObject({ inputs: ['res1_bn2', 'conv2d_1'] });
    expectValid(layers);
  });

  it('layers naming the old previous layer explicitly keep their inputs', () => {
    const graph: LayerSpec[] = [
      { type: 'Conv2D', filters: 8, kernelSize: 3, padding: 'same', name: 'stem' },
      { type: 'Conv2D', filters: 8, kernelSize: 3, padding: 'same', name: 'branch' },
      { type: 'Add', inputs: ['branch', 'stem'], name: 'merge' },
      { type: 'GlobalAveragePooling2D' },
      { type: 'Dense', units: 10, activation: 'softmax' },
    ];
    expectValid(graph);
    const { layers } = insertResidualBlock(graph, 1, 8, { filters: 8, strides: 1, shortcut: 'identity' });
    expect(layers.find((l) => l.name === 'merge')).toMatchObject({ inputs: ['branch', 'stem'] });
    expect(layers.find((l) => l.name === 'res1_conv1')).toMatchObject({ inputs: ['stem'] });
    expectValid(layers);
  });

  it('a second block gets a fresh prefix, skipping names already taken', () => {
    const first = insertResidualBlock(CHAIN, 1, 8, { filters: 8, strides: 1, shortcut: 'identity' }).layers;
    expect(freshBlockPrefix(first)).toBe('res2');
    const taken: LayerSpec[] = [{ ...CHAIN[0], name: 'res2_custom' }, ...first.slice(1)];
    expect(freshBlockPrefix(taken)).toBe('res3');
    expect(freshBlockPrefix([{ ...CHAIN[0], name: 'res1' }])).toBe('res2');
    const second = insertResidualBlock(first, 8, 8, { filters: 16, strides: 2, shortcut: 'projection' });
    expect(second.prefix).toBe('res2');
    expect(second.layers[8]).toMatchObject({ name: 'res2_conv1', inputs: ['res1_out'] });
    expectValid(second.layers);
  });

  it('a picked layer inside a block puts the new block after the whole block', () => {
    const { layers } = insertResidualBlock(CHAIN, 1, 8, { filters: 8, strides: 1, shortcut: 'identity' });
    expect(insertionPoint(layers, 3)).toBe(1 + 7);
    expect(insertionPoint(layers, 0)).toBe(1);
    expect(insertionPoint(layers, -1)).toBe(layers.length);
  });

  it('the identity shortcut is refused with the reason when the shapes do not allow it', () => {
    expect(identityProblem(8, { filters: 8, strides: 1 })).toBeUndefined();
    expect(identityProblem(8, { filters: 16, strides: 1 })).toContain('8 channels');
    expect(identityProblem(8, { filters: 8, strides: 2 })).toContain('strides 2');
    expect(identityProblem(undefined, { filters: 8, strides: 1 })).toContain('no known image shape');
  });
});

describe('finding and removing a block', () => {
  it('finds each block by its layer names, and nothing in a plain chain', () => {
    expect(findBlocks(CHAIN)).toEqual([]);
    const one = insertResidualBlock(CHAIN, 1, 8, { filters: 16, strides: 2, shortcut: 'projection' }).layers;
    const two = insertResidualBlock(one, 10, 16, { filters: 16, strides: 1, shortcut: 'identity' }).layers;
    expect(findBlocks(two)).toEqual([
      { prefix: 'res1', start: 1, end: 9 },
      { prefix: 'res2', start: 10, end: 16 },
    ]);
    // A run that never reaches <prefix>_out is not a block.
    expect(findBlocks(one.filter((l) => l.name !== 'res1_out'))).toEqual([]);
  });

  it('removing a block gives back the layers before it was inserted', () => {
    const { layers } = insertResidualBlock(CHAIN, 1, 8, { filters: 16, strides: 2, shortcut: 'projection' });
    expect(removeResidualBlock(layers, findBlocks(layers)[0])).toEqual(CHAIN);
  });

  it('what read the block output reads the block input after removal', () => {
    const one = insertResidualBlock(CHAIN, 1, 8, { filters: 8, strides: 1, shortcut: 'identity' }).layers;
    const two = insertResidualBlock(one, 8, 8, { filters: 8, strides: 1, shortcut: 'identity' }).layers;
    // Removing the first block: the second block's conv1 and its Add name res1_out explicitly.
    const removed = removeResidualBlock(two, findBlocks(two)[0]);
    expect(removed.find((l) => l.name === 'res2_conv1')).toMatchObject({ inputs: ['conv2d'] });
    expect(removed.find((l) => l.name === 'res2_add')).toMatchObject({ inputs: ['res2_bn2', 'conv2d'] });
    expectValid(removed);
  });

  it('a layer that followed a block reading another layer is given that layer as its input', () => {
    const layers: LayerSpec[] = [
      { type: 'Conv2D', filters: 8, kernelSize: 3, padding: 'same', name: 'stem' },
      { type: 'Conv2D', filters: 8, kernelSize: 3, padding: 'same', name: 'side' },
      ...insertResidualBlock([], 0, 8, { filters: 8, strides: 1, shortcut: 'identity' }).layers.map((l) =>
        l.name === 'res1_conv1' ? { ...l, inputs: ['stem'] } : l,
      ),
      { type: 'Add', inputs: ['res1_out', 'side'], name: 'join' },
      { type: 'GlobalAveragePooling2D' },
      { type: 'Dense', units: 10, activation: 'softmax' },
    ].map((l) => (l.name === 'res1_add' ? { ...l, inputs: ['res1_bn2', 'stem'] } : l)) as LayerSpec[];
    expectValid(layers);
    const removed = removeResidualBlock(layers, findBlocks(layers)[0]);
    expect(removed.find((l) => l.name === 'join')).toMatchObject({ inputs: ['stem', 'side'] });
    expectValid(removed);

    const chainAfter = layers.map((l) => (l.name === 'join' ? { type: 'MaxPooling2D', poolSize: 2 } : l)) as LayerSpec[];
    const removedChain = removeResidualBlock(chainAfter, findBlocks(chainAfter)[0]);
    // The pooling layer now follows "side" but read the block's output, whose input was "stem".
    expect(removedChain[2]).toMatchObject({ type: 'MaxPooling2D', inputs: ['stem'] });
  });
});
