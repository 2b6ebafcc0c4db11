/**
 * The model as a drawn graph: the editor's live summary turned into boxes and arrows, placed by dagre (the
 * layered-graph layout Netron and many diagram tools use). Pure data in, pure data out, so the graph view
 * only draws what this returns and the layout is tested without a browser.
 */
import dagre from '@dagrejs/dagre';
import type { LayerSummary, ModelSummary } from '../../../common/summarize.js';
import { fmtInt, fmtShape } from './format.js';

/** -1 stands for the model input, as in LayerSummary's `inputs`. */
export const MODEL_INPUT = -1;

export const NODE_WIDTH = 224;
/** A layer's box holds three lines (type; name; shape and parameters), the input's two. */
export const NODE_HEIGHT = 68;
const INPUT_HEIGHT = 48;
const ERROR_LINE_HEIGHT = 15;
/** Error text is wrapped at this many characters and cut after this many lines (the full text is the node's tooltip). */
const ERROR_LINE_CHARS = 34;
const ERROR_MAX_LINES = 4;
const NAME_CHARS = 30;
const TYPE_CHARS = 24;
/** Horizontal distance between a merge's incoming arrows where they meet its box. */
const MERGE_SLOT = 36;
/** Space around the drawing. */
const MARGIN = 20;

export interface GraphNode {
  /** The layer's index in the spec, or MODEL_INPUT. */
  index: number;
  id: string;
  /** Centre of the box, and its size. */
  x: number;
  y: number;
  width: number;
  height: number;
  name: string;
  type: string;
  /** Name and type shortened to fit the box; the full ones are in `name` and `type`. */
  nameShown: string;
  typeShown: string;
  shape: string;
  params: string;
  error?: string;
  /** The error wrapped into the lines drawn on the box. */
  errorLines: string[];
}

export interface GraphEdge {
  /** Indexes of the node the arrow leaves and the node it points at (MODEL_INPUT for the input). */
  from: number;
  to: number;
  points: { x: number; y: number }[];
}

export interface ModelGraphLayout {
  nodes: GraphNode[];
  edges: GraphEdge[];
  width: number;
  height: number;
}

/**
 * The layers feeding a layer, from LayerSummary's `inputs` (common/model-graph.ts); a summary without them
 * (hand-built) reads as a chain, each layer reading the one before it. Indexes that are not earlier layers
 * are dropped: the summary reports those as errors on the layer, and the drawing stays a graph that can
 * be laid out.
 */
export function layerInputs(layer: LayerSummary, index: number): number[] {
  const declared: number[] | undefined = layer.inputs;
  if (declared === undefined) return [index - 1];
  return declared.filter((from) => Number.isInteger(from) && from >= MODEL_INPUT && from < index);
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Word-wraps an error for the box; a word longer than a line is cut, and the last line says when text was left out. */
export function wrapLines(text: string, width = ERROR_LINE_CHARS, maxLines = ERROR_MAX_LINES): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const piece = shorten(word, width);
    if (line === '') line = piece;
    else if (line.length + 1 + piece.length <= width) line += ` ${piece}`;
    else {
      lines.push(line);
      line = piece;
    }
  }
  if (line !== '') lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${shorten(kept[maxLines - 1], width - 1)}…`;
  return kept;
}

/**
 * An SVG path along an arrow's points: between two points an S-curve; along bends a smooth curve (a uniform
 * cubic B-spline held at both ends) that starts and ends exactly at the boxes and rounds the turns.
 */
export function edgePath(points: readonly { x: number; y: number }[]): string {
  if (points.length === 0) return '';
  const f = (v: number) => Math.round(v * 100) / 100;
  const at = (p: { x: number; y: number }) => `${f(p.x)},${f(p.y)}`;
  const mix = (weights: [number, { x: number; y: number }][]) => {
    const total = weights.reduce((sum, [w]) => sum + w, 0);
    return {
      x: weights.reduce((sum, [w, p]) => sum + w * p.x, 0) / total,
      y: weights.reduce((sum, [w, p]) => sum + w * p.y, 0) / total,
    };
  };
  if (points.length === 1) return `M${at(points[0])}`;
  if (points.length === 2) {
    // Leaves and arrives vertically, like the rows it joins.
    const [a, b] = points;
    if (a.x === b.x) return `M${at(a)} L${at(b)}`;
    const midY = (a.y + b.y) / 2;
    return `M${at(a)} C${at({ x: a.x, y: midY })} ${at({ x: b.x, y: midY })} ${at(b)}`;
  }
  // Repeating the last point closes the spline on it; each stretch between control points a, b (next c) is
  // one Bézier segment.
  const ps = [...points, points[points.length - 1]];
  let d = `M${at(ps[0])} L${at(
    mix([
      [5, ps[0]],
      [1, ps[1]],
    ]),
  )}`;
  for (let i = 2; i < ps.length; i++) {
    const [a, b, c] = [ps[i - 2], ps[i - 1], ps[i]];
    d += ` C${at(
      mix([
        [2, a],
        [1, b],
      ]),
    )} ${at(
      mix([
        [1, a],
        [2, b],
      ]),
    )} ${at(
      mix([
        [1, a],
        [4, b],
        [1, c],
      ]),
    )}`;
  }
  return `${d} L${at(ps[ps.length - 1])}`;
}

function nodeId(index: number): string {
  return index === MODEL_INPUT ? 'input' : `layer-${index}`;
}

interface NodeContent {
  index: number;
  name: string;
  type: string;
  shape: string;
  params: string;
  error?: string;
}

function contentOf(layer: LayerSummary, i: number, error: string | undefined): NodeContent {
  return {
    index: i,
    name: layer.name,
    type: layer.type,
    shape: fmtShape(layer.outputShape),
    params: layer.outputShape === null ? '—' : fmtInt(layer.params),
    ...(error !== undefined ? { error } : {}),
  };
}

/**
 * Lays out the model input and one box per layer, top to bottom, with an edge from each input to the layer
 * reading it. `errors[i]`, when given, replaces layer i's summary error (the editor's field problems are more
 * precise); the box grows to show it.
 *
 * Boxes keep their size when shapes or parameter counts change, so editing a layer's settings never moves
 * the drawing; only adding, removing or rewiring layers (or an error appearing) does. Branches that leave
 * one layer are kept left to right in the order they appear in the layer list.
 */
export function layoutModelGraph(summary: ModelSummary, errors: readonly (string | undefined)[] = []): ModelGraphLayout {
  const contents: NodeContent[] = [
    { index: MODEL_INPUT, name: 'input', type: 'Input', shape: fmtShape(summary.inputShape), params: '' },
    ...summary.layers.map((layer, i) => contentOf(layer, i, errors[i] ?? layer.error)),
  ];
  const inputsOf = summary.layers.map((layer, i) => layerInputs(layer, i));

  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 30, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const c of contents) {
    const lines = c.error === undefined ? 0 : wrapLines(c.error).length;
    const height = c.index === MODEL_INPUT ? INPUT_HEIGHT : NODE_HEIGHT + (lines > 0 ? lines * ERROR_LINE_HEIGHT + 6 : 0);
    g.setNode(nodeId(c.index), { width: NODE_WIDTH, height });
  }
  inputsOf.forEach((inputs, to) => {
    // A layer reading one input twice (Add of x and x) gets two arrows: the multigraph keeps them apart by name.
    inputs.forEach((from, k) => g.setEdge(nodeId(from), nodeId(to), {}, String(k)));
  });

  dagre.layout(g, { constraints: siblingOrder(inputsOf) });

  const nodes = contents.map((c): GraphNode => {
    const box = g.node(nodeId(c.index));
    return {
      ...c,
      id: nodeId(c.index),
      x: box.x ?? 0,
      y: box.y ?? 0,
      width: box.width,
      height: box.height,
      nameShown: shorten(c.name, NAME_CHARS),
      typeShown: shorten(c.type, TYPE_CHARS),
      errorLines: c.error === undefined ? [] : wrapLines(c.error),
    };
  });
  const byIndex = new Map(nodes.map((n) => [n.index, n]));
  const rowYs = new Set(nodes.map((n) => Math.round(n.y)));
  const edges = inputsOf.flatMap((inputs, to) => {
    const target = byIndex.get(to) as GraphNode;
    const routes = inputs.map((from, k) => {
      const label = g.edge(nodeId(from), nodeId(to), String(k)) as { points?: { x: number; y: number }[] } | undefined;
      const source = byIndex.get(from) as GraphNode;
      // An arrow that skips rows follows dagre's bends: they turn in the gaps between rows and run down
      // beside the boxes. An arrow to the next row has one bend, in the gap, placed anywhere; it is drawn
      // as a plain curve instead, which cannot hook back.
      const dagreBends = (label?.points ?? []).slice(1, -1);
      const bends = dagreBends.some((p) => rowYs.has(Math.round(p.y))) ? dagreBends : [];
      const start = { x: source.x, y: source.y + source.height / 2 };
      return { from, start, bends, comesFrom: (bends.at(-1) ?? start).x };
    });
    // dagre ends a slanted arrow on a box's side; here every arrow leaves a box's bottom and enters the
    // next one's top. A merge's arrows arrive side by side, ordered by where they come from so they never cross.
    const arrivals = [...routes].sort((a, b) => a.comesFrom - b.comesFrom);
    const spacing = Math.min(MERGE_SLOT, (NODE_WIDTH - 40) / Math.max(1, inputs.length - 1));
    return routes.map((r): GraphEdge => {
      const slot = (arrivals.indexOf(r) - (inputs.length - 1) / 2) * spacing;
      return { from: r.from, to, points: [r.start, ...r.bends, { x: target.x + slot, y: target.y - target.height / 2 }] };
    });
  });
  return framed(nodes, edges);
}

/**
 * Moves the drawing so that boxes and arrows start one margin from the top left, and sizes it to hold
 * both: dagre frames the boxes only, and a long arrow routed around them can lie outside that frame.
 */
function framed(nodes: GraphNode[], edges: GraphEdge[]): ModelGraphLayout {
  const xs = [...nodes.flatMap((n) => [n.x - n.width / 2, n.x + n.width / 2]), ...edges.flatMap((e) => e.points.map((p) => p.x))];
  const ys = [...nodes.flatMap((n) => [n.y - n.height / 2, n.y + n.height / 2]), ...edges.flatMap((e) => e.points.map((p) => p.y))];
  const dx = MARGIN - Math.min(...xs);
  const dy = MARGIN - Math.min(...ys);
  return {
    nodes: nodes.map((n) => ({ ...n, x: n.x + dx, y: n.y + dy })),
    edges: edges.map((e) => ({ ...e, points: e.points.map((p) => ({ x: p.x + dx, y: p.y + dy })) })),
    width: Math.max(...xs) - Math.min(...xs) + 2 * MARGIN,
    height: Math.max(...ys) - Math.min(...ys) + 2 * MARGIN,
  };
}

/**
 * Left-to-right order for layers that read the same layer, by their place in the list (dagre applies a
 * constraint only to boxes that end up side by side in one row). Every constraint points from a lower index
 * to a higher one, so they can never contradict each other.
 */
function siblingOrder(inputsOf: number[][]): { left: string; right: string }[] {
  const readers = new Map<number, number[]>();
  inputsOf.forEach((inputs, to) => {
    for (const from of new Set(inputs)) readers.set(from, [...(readers.get(from) ?? []), to]);
  });
  const constraints: { left: string; right: string }[] = [];
  for (const list of readers.values())
    for (let a = 0; a < list.length; a++)
      for (let b = a + 1; b < list.length; b++) constraints.push({ left: nodeId(list[a]), right: nodeId(list[b]) });
  return constraints;
}
