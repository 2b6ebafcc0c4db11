/**
 * The graph view's adapter and layout: chains, a residual block (a branch and an Add merge) and a
 * Concatenate of three branches, built as summaries by hand, are drawn as boxes that do not overlap with
 * arrows from each input to the layer reading it, in a stable left-to-right order.
 */
import { describe, expect, it } from 'vitest';
import type { LayerSummary, ModelSummary } from '../../../common/summarize.js';
import { summarize } from '../../../common/summarize.js';
import { preset } from '../../../common/presets.js';
import {
  edgePath,
  layerInputs,
  layoutModelGraph,
  MODEL_INPUT,
  wrapLines,
  type GraphNode,
  type ModelGraphLayout,
} from '../../../renderer/src/lib/model-graph-layout.js';

interface HandLayer {
  name: string;
  type: string;
  shape: number[] | null;
  params?: number;
  inputs?: number[];
  error?: string;
}

/** A summary as common/summarize.ts gives it; `inputs` and the merge types may be newer than this checkout's types. */
function summaryOf(inputShape: number[], layers: HandLayer[]): ModelSummary {
  const out: LayerSummary[] = layers.map((l, index) => {
    const s = {
      index,
      name: l.name,
      type: l.type as string as LayerSummary['type'],
      outputShape: l.shape,
      params: l.params ?? 0,
      trainableParams: l.params ?? 0,
      nonTrainableParams: 0,
      ...(l.inputs ? { inputs: l.inputs } : {}),
      ...(l.error ? { error: l.error } : {}),
    };
    return s as LayerSummary;
  });
  // Cast: fields like isChain come with model graphs and are not in every checkout's ModelSummary.
  return {
    layers: out,
    inputShape,
    outputShape: out.at(-1)?.outputShape ?? null,
    totalParams: 0,
    trainableParams: 0,
    nonTrainableParams: 0,
    errors: [],
    ok: true,
    isChain: layers.every((l, i) => l.inputs === undefined || (l.inputs.length === 1 && l.inputs[0] === i - 1)),
  } as ModelSummary;
}

const node = (g: ModelGraphLayout, index: number): GraphNode => {
  const n = g.nodes.find((x) => x.index === index);
  if (!n) throw new Error(`no node for ${index}`);
  return n;
};

function expectNoOverlap(g: ModelGraphLayout): void {
  for (let a = 0; a < g.nodes.length; a++)
    for (let b = a + 1; b < g.nodes.length; b++) {
      const p = g.nodes[a];
      const q = g.nodes[b];
      const apartX = Math.abs(p.x - q.x) >= (p.width + q.width) / 2;
      const apartY = Math.abs(p.y - q.y) >= (p.height + q.height) / 2;
      expect(apartX || apartY, `${p.name} and ${q.name} overlap`).toBe(true);
    }
  for (const n of g.nodes) {
    expect(n.x - n.width / 2).toBeGreaterThanOrEqual(0);
    expect(n.y - n.height / 2).toBeGreaterThanOrEqual(0);
    expect(n.x + n.width / 2).toBeLessThanOrEqual(g.width);
    expect(n.y + n.height / 2).toBeLessThanOrEqual(g.height);
  }
}

/** Each arrow starts on its source's box edge, ends on its target's, and runs downwards. */
function expectEdgesFromSourceToTarget(g: ModelGraphLayout): void {
  for (const e of g.edges) {
    const from = node(g, e.from);
    const to = node(g, e.to);
    const first = e.points[0];
    const last = e.points.at(-1);
    expect(e.points.length).toBeGreaterThanOrEqual(2);
    expect(first.y).toBeCloseTo(from.y + from.height / 2, 3);
    expect(last?.y).toBeCloseTo(to.y - to.height / 2, 3);
    expect(Math.abs(first.x - from.x)).toBeLessThanOrEqual(from.width / 2);
    expect(Math.abs((last?.x ?? 0) - to.x)).toBeLessThanOrEqual(to.width / 2);
    for (const p of e.points) {
      expect(p.x, `arrow ${e.from}→${e.to} leaves the drawing`).toBeGreaterThanOrEqual(0);
      expect(p.x, `arrow ${e.from}→${e.to} leaves the drawing`).toBeLessThanOrEqual(g.width);
      expect(p.y).toBeGreaterThanOrEqual(0);
      expect(p.y).toBeLessThanOrEqual(g.height);
    }
  }
}

/** A merge's arrows arrive side by side in the order they come from, left to right, so they do not cross there. */
function expectMergeArrowsApart(g: ModelGraphLayout, merge: number): void {
  const into = g.edges.filter((e) => e.to === merge);
  const before = (e: (typeof into)[number]) => e.points[e.points.length - 2].x;
  const byOrigin = [...into].sort((a, b) => before(a) - before(b));
  const byArrival = [...into].sort((a, b) => (a.points.at(-1)?.x ?? 0) - (b.points.at(-1)?.x ?? 0));
  expect(byArrival).toEqual(byOrigin);
  expect(new Set(into.map((e) => e.points.at(-1)?.x)).size).toBe(into.length);
}

const edgePairs = (g: ModelGraphLayout) => g.edges.map((e) => [e.from, e.to]);

const residual = () =>
  summaryOf(
    [32, 32, 16],
    [
      { name: 'conv2d', type: 'Conv2D', shape: [32, 32, 16], params: 448 },
      { name: 'conv2d_1', type: 'Conv2D', shape: [32, 32, 16], params: 2320, inputs: [0] },
      { name: 'batch_normalization', type: 'BatchNormalization', shape: [32, 32, 16], params: 64, inputs: [1] },
      { name: 'add', type: 'Add', shape: [32, 32, 16], inputs: [2, 0] },
      { name: 'activation', type: 'Activation', shape: [32, 32, 16], inputs: [3] },
    ],
  );

const concat = () =>
  summaryOf(
    [28, 28, 1],
    [
      { name: 'conv2d', type: 'Conv2D', shape: [28, 28, 8], params: 80 },
      { name: 'branch_a', type: 'Conv2D', shape: [28, 28, 4], params: 36, inputs: [0] },
      { name: 'branch_b', type: 'Conv2D', shape: [28, 28, 4], params: 292, inputs: [0] },
      { name: 'branch_c', type: 'MaxPooling2D', shape: [28, 28, 8], inputs: [0] },
      { name: 'concatenate', type: 'Concatenate', shape: [28, 28, 16], inputs: [1, 2, 3] },
      { name: 'flatten', type: 'Flatten', shape: [12544], inputs: [4] },
    ],
  );

describe('layerInputs', () => {
  it('falls back to the previous layer (the model input for the first) when a summary has no inputs', () => {
    const s = summaryOf(
      [4],
      [
        { name: 'dense', type: 'Dense', shape: [3] },
        { name: 'dense_1', type: 'Dense', shape: [2] },
      ],
    );
    expect(layerInputs(s.layers[0], 0)).toEqual([MODEL_INPUT]);
    expect(layerInputs(s.layers[1], 1)).toEqual([0]);
  });

  it('reads declared inputs and drops indexes that are not earlier layers', () => {
    const s = summaryOf(
      [4],
      [
        { name: 'a', type: 'Dense', shape: [3] },
        { name: 'b', type: 'Dense', shape: [3], inputs: [MODEL_INPUT] },
        { name: 'c', type: 'Add', shape: [3], inputs: [0, 1, 2, 7, -2] },
      ],
    );
    expect(layerInputs(s.layers[1], 1)).toEqual([MODEL_INPUT]);
    expect(layerInputs(s.layers[2], 2)).toEqual([0, 1]);
  });
});

describe('layoutModelGraph', () => {
  it('draws a chain as the input and one box per layer, one under the other', () => {
    const exp = preset('seed-baseline', { inputShape: [28, 28, 1], numClasses: 10 });
    const s = summarize(exp.model, { numClasses: 10 });
    const g = layoutModelGraph(s);
    expect(g.nodes.map((n) => n.index)).toEqual([MODEL_INPUT, ...s.layers.map((_, i) => i)]);
    expect(edgePairs(g)).toEqual(s.layers.map((_, i) => [i - 1, i]));
    expectNoOverlap(g);
    expectEdgesFromSourceToTarget(g);
    for (let i = 0; i < s.layers.length; i++) {
      expect(node(g, i).y).toBeGreaterThan(node(g, i - 1).y);
      expect(node(g, i).x).toBeCloseTo(node(g, MODEL_INPUT).x, 3);
      expect(node(g, i).shape).toBe(s.layers[i].outputShape?.join(' × '));
      expect(node(g, i).name).toBe(s.layers[i].name);
    }
    expect(node(g, MODEL_INPUT).shape).toBe('28 × 28 × 1');
  });

  it('draws a residual block with its skip connection and the Add merge reading both paths', () => {
    const g = layoutModelGraph(residual());
    expect(edgePairs(g)).toEqual([
      [MODEL_INPUT, 0],
      [0, 1],
      [1, 2],
      [2, 3],
      [0, 3],
      [3, 4],
    ]);
    expectNoOverlap(g);
    expectEdgesFromSourceToTarget(g);
    // The skip arrow runs beside the branch's boxes, not through them.
    const skip = g.edges.find((e) => e.from === 0 && e.to === 3);
    for (const p of skip?.points.slice(1, -1) ?? []) {
      for (const i of [1, 2]) {
        const box = node(g, i);
        const inside = Math.abs(p.x - box.x) < box.width / 2 && Math.abs(p.y - box.y) < box.height / 2;
        expect(inside, `the skip arrow crosses ${box.name}`).toBe(false);
      }
    }
    expect(node(g, 3).y).toBeGreaterThan(node(g, 2).y);
    expectMergeArrowsApart(g, 3);
  });

  it('draws a Concatenate of three branches with its three arrows, the branches left to right in list order', () => {
    const g = layoutModelGraph(concat());
    const into = g.edges.filter((e) => e.to === 4).map((e) => e.from);
    expect(into).toEqual([1, 2, 3]);
    expectNoOverlap(g);
    expectEdgesFromSourceToTarget(g);
    const [a, b, c] = [node(g, 1), node(g, 2), node(g, 3)];
    expect(a.y).toBeCloseTo(b.y, 3);
    expect(b.y).toBeCloseTo(c.y, 3);
    expect(a.x).toBeLessThan(b.x);
    expect(b.x).toBeLessThan(c.x);
    expectMergeArrowsApart(g, 4);
  });

  it('keeps branch order when the branches are listed in another order than dagre would pick', () => {
    // The last-listed branch is the one the merge names first; the list order still decides left to right.
    const s = concat();
    (s.layers[4] as LayerSummary & { inputs?: number[] }).inputs = [3, 1, 2];
    const g = layoutModelGraph(s);
    expect(node(g, 1).x).toBeLessThan(node(g, 2).x);
    expect(node(g, 2).x).toBeLessThan(node(g, 3).x);
    expectMergeArrowsApart(g, 4);
    expectNoOverlap(g);
    expectEdgesFromSourceToTarget(g);
  });

  it('keeps long arrows (a merge reading a layer many rows up) inside the drawing', () => {
    const layers: HandLayer[] = [...Array(12).keys()].map((i) => ({ name: `layer_${i}`, type: 'Conv2D', shape: [8, 8, 4] }));
    layers[9] = { ...layers[9], type: 'Concatenate', inputs: [8, 6, 0] };
    layers[11] = { ...layers[11], type: 'Add', inputs: [10, 2] };
    const g = layoutModelGraph(summaryOf([8, 8, 1], layers));
    expect(g.edges.filter((e) => e.to === 9).map((e) => e.from)).toEqual([8, 6, 0]);
    expectNoOverlap(g);
    expectEdgesFromSourceToTarget(g);
  });

  it('lays out a ResNet-20-shaped model (nine residual blocks, two with a projection shortcut) without overlaps', () => {
    const layers: HandLayer[] = [];
    const add = (type: string, inputs: number[]): number => {
      layers.push({ name: `${type.toLowerCase()}_${layers.length}`, type, shape: [8, 8, 16], inputs });
      return layers.length - 1;
    };
    let x = add('Activation', [add('BatchNormalization', [add('Conv2D', [MODEL_INPUT])])]);
    for (let stage = 0; stage < 3; stage++)
      for (let block = 0; block < 3; block++) {
        const main = add('BatchNormalization', [add('Conv2D', [add('Activation', [add('BatchNormalization', [add('Conv2D', [x])])])])]);
        const shortcut = stage > 0 && block === 0 ? add('BatchNormalization', [add('Conv2D', [x])]) : x;
        x = add('Activation', [add('Add', [main, shortcut])]);
      }
    add('Dense', [add('GlobalAveragePooling2D', [x])]);
    expect(layers.length).toBeGreaterThan(60);
    const g = layoutModelGraph(summaryOf([32, 32, 3], layers));
    expect(g.nodes).toHaveLength(layers.length + 1);
    expect(g.edges).toHaveLength(layers.length + 9);
    expectNoOverlap(g);
    expectEdgesFromSourceToTarget(g);
    // Top to bottom in the order the layers run.
    for (const e of g.edges) expect(node(g, e.to).y).toBeGreaterThan(node(g, e.from).y);
  });

  it('does not move any box when only shapes and parameter counts change', () => {
    const before = layoutModelGraph(residual());
    const edited = residual();
    edited.layers[1] = { ...edited.layers[1], outputShape: [16, 16, 64], params: 9280 };
    const after = layoutModelGraph(edited);
    expect(after.nodes.map((n) => [n.x, n.y])).toEqual(before.nodes.map((n) => [n.x, n.y]));
    expect(node(after, 1).shape).toBe('16 × 16 × 64');
    expect(node(after, 1).params).toBe('9,280');
  });

  it('draws a layer error on its box, which grows to hold it, and a given field problem replaces it', () => {
    const s = residual();
    const message = 'add: inputs batch_normalization (32x32x16) and conv2d (16x16x32) differ in height, width and channels';
    s.layers[3] = { ...s.layers[3], outputShape: null, error: message };
    const g = layoutModelGraph(s);
    const add = node(g, 3);
    expect(add.error).toBe(message);
    expect(add.errorLines.join(' ')).toContain('differ in');
    expect(add.height).toBeGreaterThan(node(g, 2).height);
    expect(add.shape).toBe('—');
    expect(add.params).toBe('—');
    expectNoOverlap(g);

    const withField = layoutModelGraph(s, [undefined, 'filters must be a whole number']);
    expect(node(withField, 1).error).toBe('filters must be a whole number');
    expect(node(withField, 3).error).toBe(message);
  });
});

describe('wrapLines', () => {
  it('wraps at word boundaries and marks text it leaves out', () => {
    expect(wrapLines('one two three', 8)).toEqual(['one two', 'three']);
    const long = wrapLines('word '.repeat(40), 10, 2);
    expect(long).toHaveLength(2);
    expect(long[1].endsWith('…')).toBe(true);
    expect(wrapLines('abcdefghijklmnop', 6)).toEqual(['abcde…']);
  });
});

describe('edgePath', () => {
  it('draws a straight arrow as a line and a bent one as curves that start and end on the given points', () => {
    expect(edgePath([])).toBe('');
    expect(
      edgePath([
        { x: 10, y: 0 },
        { x: 10, y: 40 },
      ]),
    ).toBe('M10,0 L10,40');
    expect(
      edgePath([
        { x: 10, y: 0 },
        { x: 50, y: 40 },
      ]),
    ).toBe('M10,0 C10,20 50,20 50,40');
    const d = edgePath([
      { x: 100, y: 0 },
      { x: 40, y: 20 },
      { x: 40, y: 120 },
      { x: 90, y: 140 },
    ]);
    expect(d.startsWith('M100,0 L')).toBe(true);
    expect(d.endsWith(' L90,140')).toBe(true);
    expect(d.match(/C/g)).toHaveLength(3);
    // Every coordinate stays within the points' bounding box (a B-spline lies in its control points' hull).
    const numbers = [...d.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    for (const [x, y] of numbers) {
      expect(x).toBeGreaterThanOrEqual(40);
      expect(x).toBeLessThanOrEqual(100);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThanOrEqual(140);
    }
  });
});
