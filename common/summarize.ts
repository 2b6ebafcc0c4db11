/**
 * Shape inference and parameter counting, the same numbers Keras `model.summary()` prints, plus plain-language
 * errors on the layer at fault for models that could never be built or trained.
 */
import { fieldProblem, isCount } from './layer-fields.js';
import { LIMITS } from './limits.js';
import { describeShape } from './layers/helpers.js';
import { LAYERS, descriptorOf, type Shape } from './layers/index.js';
import { MODEL_INPUT, MODEL_INPUT_INDEX, resolveGraph } from './model-graph.js';
import type { LayerSpec, ModelSpec } from './spec.js';

export type { Shape };

export interface LayerSummary {
  index: number;
  name: string;
  type: LayerSpec['type'];
  outputShape: Shape | null;
  /** The layers it reads: their indexes, -1 for the model input (empty where its `inputs` are wrong). */
  inputs: number[];
  params: number;
  trainableParams: number;
  nonTrainableParams: number;
  error?: string;
}

export interface ModelSummary {
  layers: LayerSummary[];
  /** Whether every layer reads the one before it (printed as Keras prints a Sequential model). */
  isChain: boolean;
  inputShape: Shape;
  outputShape: Shape | null;
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  errors: { layerIndex: number | null; message: string }[];
  ok: boolean;
}

export interface SummarizeOptions {
  /** When given, the last layer must produce this many class scores. */
  numClasses?: number;
}

/** Keras's default layer names: conv2d, conv2d_1, max_pooling2d, dense, dense_1 ... */
export function layerNames(layers: LayerSpec[]): string[] {
  const seen = new Map<string, number>();
  return layers.map((layer) => {
    if (layer.name) return layer.name;
    const base = LAYERS[layer.type].keras.baseName;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  });
}

interface Step {
  out: Shape | null;
  trainable: number;
  nonTrainable: number;
  error?: string;
}

/** An empty, fractional or negative count yields no shape and no parameters (never NaN or a negative count). */
function badCount(layer: LayerSpec): string | undefined {
  for (const { field, value, optional } of descriptorOf(layer).counts(layer)) {
    if (value === undefined && optional) continue;
    if (!isCount(value)) return fieldProblem(layer.type, field, value);
  }
  return undefined;
}

/** One layer's output shape and parameters from its descriptor, given its inputs' shapes and names. */
function step(layer: LayerSpec, inputs: Shape[], inputNames: string[]): Step {
  const bad = badCount(layer);
  if (bad) return { out: null, trainable: 0, nonTrainable: 0, error: bad };
  const d = descriptorOf(layer);
  const out = d.outputShape(layer, inputs, inputNames);
  const { trainable, nonTrainable } = d.params(layer, inputs);
  if (typeof out === 'string') return { out: null, trainable, nonTrainable, error: out };
  return { out, trainable, nonTrainable };
}

/**
 * Index of the layer that produces class scores: the last layer, or the layer a trailing Activation or
 * Dropout reads (followed back through them).
 */
function outputLayerIndex(layers: LayerSpec[], inputs: number[][]): number {
  let i = layers.length - 1;
  while (i >= 0 && (layers[i].type === 'Activation' || layers[i].type === 'Dropout') && (inputs[i]?.[0] ?? -1) >= 0) i = inputs[i][0];
  return i;
}

export function summarize(spec: ModelSpec, options: SummarizeOptions = {}): ModelSummary {
  const names = layerNames(spec.layers);
  const graph = resolveGraph(spec.layers, names);
  const graphErrors = new Map(graph.problems.map((p) => [p.layerIndex, p.problem]));
  const layers: LayerSummary[] = [];
  const errors: ModelSummary['errors'] = [];
  const shapes: (Shape | null)[] = [];
  const shapeOf = (j: number): Shape | null => (j === MODEL_INPUT_INDEX ? [...spec.inputShape] : shapes[j]);
  const nameOf = (j: number): string => (j === MODEL_INPUT_INDEX ? MODEL_INPUT : names[j]);
  spec.layers.forEach((layer, index) => {
    const inputs = graph.inputs[index];
    const inputShapes = inputs.map(shapeOf);
    let s: Step;
    const graphError = graphErrors.get(index);
    if (graphError !== undefined) {
      // A wrong name or unused output is the layer's error; its shape is still inferred where it can be.
      const known = inputs.length > 0 && inputShapes.every((x) => x !== null);
      const inferred = known ? step(layer, inputShapes as Shape[], inputs.map(nameOf)) : undefined;
      s = {
        out: inferred?.error ? null : (inferred?.out ?? null),
        trainable: inferred?.trainable ?? 0,
        nonTrainable: inferred?.nonTrainable ?? 0,
        error: graphError,
      };
    } else if (inputShapes.some((x) => x === null)) {
      s = { out: null, trainable: 0, nonTrainable: 0 };
    } else {
      s = step(layer, inputShapes as Shape[], inputs.map(nameOf));
    }
    if (s.error) errors.push({ layerIndex: index, message: `layers[${index}] ${names[index]} (${layer.type}): ${s.error}` });
    layers.push({
      index,
      name: names[index],
      type: layer.type,
      outputShape: s.out,
      inputs: [...inputs],
      params: s.trainable + s.nonTrainable,
      trainableParams: s.trainable,
      nonTrainableParams: s.nonTrainable,
      ...(s.error ? { error: s.error } : {}),
    });
    shapes.push(s.out);
  });
  const shape = shapes.length > 0 ? shapes[shapes.length - 1] : [...spec.inputShape];

  const finalShape: Shape | null = shape;
  if (options.numClasses !== undefined && finalShape !== null && spec.layers.length > 0) {
    const outIndex = outputLayerIndex(spec.layers, graph.inputs);
    const last = spec.layers[outIndex];
    const n = options.numClasses;
    let problem: string | undefined;
    let faultIndex = outIndex;
    if (finalShape.length !== 1) {
      problem = `the model ends with an image of ${describeShape(finalShape)}, but it must end with class scores; add Flatten and Dense(${n}, softmax)`;
    } else if (last.type !== 'Dense') {
      problem = `the model must end with Dense(${n}, softmax) to score ${n} classes, but its last layer is ${last.type}`;
    } else if (finalShape[0] !== n) {
      problem = `the output layer has ${finalShape[0]} units but the dataset has ${n} classes; set units to ${n}`;
    } else {
      // The activation that shapes the output is the last one: an Activation layer after the Dense overrides it.
      const lastActivation = spec.layers.findLastIndex((l, i) => i > outIndex && l.type === 'Activation');
      if (lastActivation >= 0) {
        const act = (spec.layers[lastActivation] as { activation: string }).activation;
        if (act !== 'softmax') {
          faultIndex = lastActivation;
          problem = `this Activation layer applies ${act} to the class scores, but cross-entropy training needs class probabilities; set its function to softmax or remove it`;
        }
      } else if (last.activation !== 'softmax') {
        problem = `the output layer's activation is ${last.activation ?? 'linear'}, but cross-entropy training needs class probabilities; use activation softmax`;
      }
    }
    if (problem) {
      if (!layers[faultIndex].error) layers[faultIndex].error = problem;
      errors.push({
        layerIndex: faultIndex,
        message: `layers[${faultIndex}] ${names[faultIndex]} (${spec.layers[faultIndex].type}): ${problem}`,
      });
    }
  }

  const trainableParams = layers.reduce((a, l) => a + l.trainableParams, 0);
  const nonTrainableParams = layers.reduce((a, l) => a + l.nonTrainableParams, 0);
  const totalParams = trainableParams + nonTrainableParams;
  if (totalParams > LIMITS.maxParams) {
    errors.push({
      layerIndex: null,
      message: `the model has ${totalParams.toLocaleString('en-US')} parameters; at most ${LIMITS.maxParams.toLocaleString('en-US')} are allowed`,
    });
  }
  return {
    layers,
    isChain: graph.isChain,
    inputShape: [...spec.inputShape],
    outputShape: finalShape,
    totalParams,
    trainableParams,
    nonTrainableParams,
    errors,
    ok: errors.length === 0,
  };
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function shapeText(shape: Shape | null): string {
  return shape === null ? '?' : `(None, ${shape.join(', ')})`;
}

/** Keras's column widths; a column widens where a cell (a long layer name) would run into the next one. */
const SUMMARY_WIDTHS = [34, 26, 12];
/** The functional summary's "Connected to" column. */
const CONNECTED_WIDTH = 30;

/**
 * The Keras-style summary table, as `model.summary()` prints it: a chain as a Sequential model; a graph as
 * a functional model, with the model input's row and a "Connected to" column naming each layer's inputs
 * (`conv2d[0][0]`, one per line), so a branch or merge can be read off the table.
 */
export function formatSummary(summary: ModelSummary, modelName = 'sequential'): string {
  const graph = !summary.isChain;
  const connected = (l: LayerSummary) => l.inputs.map((j) => `${j === MODEL_INPUT_INDEX ? MODEL_INPUT : summary.layers[j].name}[0][0]`);
  const rows: string[][][] = summary.layers.map((l) => {
    const first = [`${l.name} (${l.type})`, shapeText(l.outputShape), fmt(l.params)];
    if (!graph) return [first];
    const sources = connected(l);
    return [[...first, sources[0] ?? '?'], ...sources.slice(1).map((name) => ['', '', '', name])];
  });
  if (graph) rows.unshift([[`${MODEL_INPUT} (InputLayer)`, shapeText(summary.inputShape), '0', '-']]);
  const baseWidths = graph ? [...SUMMARY_WIDTHS, CONNECTED_WIDTH] : SUMMARY_WIDTHS;
  const widths = baseWidths.map((w, i) => Math.max(w, ...rows.flat().map((r) => r[i].length + 2)));
  const total = widths.reduce((a, b) => a + b, 0);
  const line = (ch: string) => ch.repeat(total);
  const row = (cols: string[]) =>
    cols
      .map((c, i) => c.padEnd(widths[i]))
      .join('')
      .trimEnd();
  const header = ['Layer (type)', 'Output Shape', 'Param #', ...(graph ? ['Connected to'] : [])];
  const out = [`Model: "${modelName}"`, line('_'), row(header), line('=')];
  rows.forEach((lines, i) => {
    for (const r of lines) out.push(row(r));
    out.push(i === rows.length - 1 ? line('=') : line('_'));
  });
  out.push(`Total params: ${fmt(summary.totalParams)}`);
  out.push(`Trainable params: ${fmt(summary.trainableParams)}`);
  out.push(`Non-trainable params: ${fmt(summary.nonTrainableParams)}`);
  out.push(line('_'));
  for (const e of summary.errors) out.push(`Error: ${e.message}`);
  return out.join('\n');
}
