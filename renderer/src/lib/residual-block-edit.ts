/**
 * Inserting a residual block into the editor's layers and removing it again, as plain functions over the
 * layer list (the editor records each as one undoable edit). A block is recognised from its layers' names
 * alone (`<prefix>_conv1` ... `<prefix>_out`, as common/blocks/residual-block.ts names them), so a block
 * saved in a spec file or built by a preset is a block again when it is opened.
 *
 * Why names stay valid: the block's layers are all named, and a layer's default name (layerNames) counts
 * only unnamed layers, so inserting or removing a block never renames another layer.
 */
import { identityShortcutProblem, residualBlock, type ShortcutKind } from '../../../common/blocks/residual-block.js';
import { MODEL_INPUT, isMergeType } from '../../../common/model-graph.js';
import type { LayerSpec } from '../../../common/spec.js';
import { layerNames } from '../../../common/summarize.js';

export interface BlockChoice {
  filters: number;
  strides: number;
  shortcut: ShortcutKind;
}

/** Where a block sits in the list: layers[start..end], both included. */
export interface BlockSpan {
  prefix: string;
  start: number;
  end: number;
}

/** The first of res1, res2, ... that no layer's name uses as itself or as a prefix. */
export function freshBlockPrefix(layers: LayerSpec[]): string {
  const names = layerNames(layers);
  for (let n = 1; ; n++) {
    const prefix = `res${n}`;
    if (!names.some((name) => name === prefix || name.startsWith(`${prefix}_`))) return prefix;
  }
}

/** The name a layer at `at` reads when it reads the layer before it: that layer's effective name, or "input". */
export function nameBefore(layers: LayerSpec[], at: number): string {
  return at === 0 ? MODEL_INPUT : layerNames(layers)[at - 1];
}

/**
 * The blocks in the list: a run of layers named `<prefix>_...` that starts with `<prefix>_conv1` and ends
 * with `<prefix>_out`.
 */
export function findBlocks(layers: LayerSpec[]): BlockSpan[] {
  const blocks: BlockSpan[] = [];
  for (let i = 0; i < layers.length; i++) {
    const prefix = /^(.+)_conv1$/.exec(layers[i].name ?? '')?.[1];
    if (prefix === undefined) continue;
    let j = i + 1;
    while (j < layers.length && (layers[j].name ?? '').startsWith(`${prefix}_`) && layers[j].name !== `${prefix}_out`) j++;
    if (j < layers.length && layers[j].name === `${prefix}_out`) {
      blocks.push({ prefix, start: i, end: j });
      i = j;
    }
  }
  return blocks;
}

/** The block a layer belongs to, if any. */
export function blockAt(blocks: BlockSpan[], index: number): BlockSpan | undefined {
  return blocks.find((b) => index >= b.start && index <= b.end);
}

/**
 * Where a block goes when a layer is picked: after it, or after the whole block it belongs to (a block is
 * never cut in two); at the end when nothing is picked.
 */
export function insertionPoint(layers: LayerSpec[], selectedIndex: number): number {
  if (selectedIndex < 0 || selectedIndex >= layers.length) return layers.length;
  const block = blockAt(findBlocks(layers), selectedIndex);
  return (block ? block.end : selectedIndex) + 1;
}

/** Why the identity shortcut cannot be chosen, including when the input's channels are unknown. */
export function identityProblem(inputChannels: number | undefined, choice: Pick<BlockChoice, 'filters' | 'strides'>): string | undefined {
  if (inputChannels === undefined)
    return 'what the block reads has no known image shape (height × width × channels), so an identity shortcut cannot be checked: use a projection';
  return identityShortcutProblem({ inputChannels, filters: choice.filters, strides: choice.strides });
}

export interface Inserted {
  layers: LayerSpec[];
  prefix: string;
  /** How many layers the block added at `at`. */
  count: number;
}

/**
 * The layers with a residual block inserted at `at`. The block reads the layer before `at`; the layer that
 * was at `at`, if it read its predecessor implicitly, now reads the block's output the same way (the block's
 * last layer is right before it). Layers naming the old predecessor explicitly keep their inputs.
 */
export function insertResidualBlock(layers: LayerSpec[], at: number, inputChannels: number, choice: BlockChoice): Inserted {
  const prefix = freshBlockPrefix(layers);
  const block = residualBlock({
    prefix,
    input: nameBefore(layers, at),
    inputChannels,
    filters: choice.filters,
    strides: choice.strides,
    shortcut: choice.shortcut,
  });
  return { layers: [...layers.slice(0, at), ...block, ...layers.slice(at)], prefix, count: block.length };
}

function inputsOf(layer: LayerSpec): string[] | undefined {
  return (layer as { inputs?: string[] }).inputs;
}

/**
 * The layers without the block at `span`. What read the block's output reads the block's input instead: the
 * layer that followed it implicitly (given an explicit input when the layer now before it is not the
 * block's input), and any later layer naming `<prefix>_out`.
 */
export function removeResidualBlock(layers: LayerSpec[], span: BlockSpan): LayerSpec[] {
  const blockInput = inputsOf(layers[span.start])?.[0] ?? nameBefore(layers, span.start);
  const out = layers[span.end].name;
  const kept = [...layers.slice(0, span.start), ...layers.slice(span.end + 1)];
  const before = nameBefore(kept, span.start);
  return kept.map((layer, i) => {
    const inputs = inputsOf(layer);
    if (inputs === undefined) {
      if (i !== span.start || before === blockInput || isMergeType(layer.type)) return layer;
      return { ...layer, inputs: [blockInput] } as LayerSpec;
    }
    if (i < span.start || !inputs.includes(out ?? '')) return layer;
    return { ...layer, inputs: inputs.map((n) => (n === out ? blockInput : n)) } as LayerSpec;
  });
}
