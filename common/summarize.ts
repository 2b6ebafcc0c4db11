/**
 * Shape inference and parameter counting, the same numbers Keras `model.summary()` prints, plus plain-language
 * errors on the layer at fault for models that could never be built or trained.
 */
import { fieldProblem, isCount } from './layer-fields.js';
import { LIMITS } from './limits.js';
import { mergeShape } from './merge-shapes.js';
import { MODEL_INPUT, MODEL_INPUT_INDEX, resolveGraph } from './model-graph.js';
import { pair, type LayerSpec, type ModelSpec, type Padding, LAYER_DEFAULTS } from './spec.js';

/** Output shape without the batch dimension: [h, w, c] for images, [n] for vectors. */
export type Shape = number[];

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
const KERAS_BASE_NAMES: Record<LayerSpec['type'], string> = {
  Conv2D: 'conv2d',
  MaxPooling2D: 'max_pooling2d',
  AveragePooling2D: 'average_pooling2d',
  GlobalAveragePooling2D: 'global_average_pooling2d',
  Dropout: 'dropout',
  BatchNormalization: 'batch_normalization',
  Flatten: 'flatten',
  Dense: 'dense',
  Activation: 'activation',
  Add: 'add',
  Concatenate: 'concatenate',
};

export function layerNames(layers: LayerSpec[]): string[] {
  const seen = new Map<string, number>();
  return layers.map((layer) => {
    if (layer.name) return layer.name;
    const base = KERAS_BASE_NAMES[layer.type];
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  });
}

function windowOutput(input: number, window: number, stride: number, padding: Padding): number {
  return padding === 'same' ? Math.ceil(input / stride) : Math.floor((input - window) / stride) + 1;
}

function describeShape(shape: Shape): string {
  return shape.length === 3 ? `${shape[0]}x${shape[1]}x${shape[2]}` : `a vector of ${shape[0]}`;
}

interface Step {
  out: Shape | null;
  trainable: number;
  nonTrainable: number;
  error?: string;
}

function needImage(layer: LayerSpec, input: Shape): string | undefined {
  if (input.length === 3) return undefined;
  return `${layer.type} needs an image (height x width x channels) but its input is ${describeShape(input)}; move it before Flatten/GlobalAveragePooling2D`;
}

function windowed(
  layer: LayerSpec,
  input: Shape,
  kernel: [number, number],
  strides: [number, number],
  padding: Padding,
  what: string,
): Shape | string {
  const [h, w] = [input[0], input[1]];
  if (kernel[0] > h || kernel[1] > w) {
    if (padding === LAYER_DEFAULTS.padding) {
      return `a ${kernel[0]}x${kernel[1]} ${what} with 'valid' padding needs an input of at least ${kernel[0]}x${kernel[1]}, but this layer's input is ${h}x${w}; use padding 'same', a smaller ${what}, or fewer downsampling layers before it`;
    }
    // With 'same' padding it would run, but most of the window would only ever cover padding.
    return `a ${kernel[0]}x${kernel[1]} ${what} is larger than this layer's ${h}x${w} input; use a ${what} of at most ${h}x${w}`;
  }
  void layer;
  return [windowOutput(h, kernel[0], strides[0], padding), windowOutput(w, kernel[1], strides[1], padding)];
}

/** The count fields a layer's shape and parameters are computed from, when they are set. */
function countFields(layer: LayerSpec): [string, unknown][] {
  switch (layer.type) {
    case 'Conv2D':
      return [
        ['filters', layer.filters],
        ['kernelSize', layer.kernelSize],
        ['strides', layer.strides],
      ];
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      return [
        ['poolSize', layer.poolSize],
        ['strides', layer.strides],
      ];
    case 'Dense':
      return [['units', layer.units]];
    default:
      return [];
  }
}

/** Count fields that may be left out (the engine's default applies). */
const OPTIONAL_COUNTS = new Set(['strides', 'poolSize']);

/** An empty, fractional or negative count yields no shape and no parameters (never NaN or a negative count). */
function badCount(layer: LayerSpec): string | undefined {
  for (const [field, value] of countFields(layer)) {
    if (value === undefined && OPTIONAL_COUNTS.has(field)) continue;
    if (!isCount(value)) return fieldProblem(layer.type, field, value);
  }
  return undefined;
}

/** One layer's step on its inputs' shapes: a merge on all of them, any other layer on its one input. */
function stepOn(layer: LayerSpec, inputs: Shape[], inputNames: string[]): Step {
  if (layer.type === 'Add' || layer.type === 'Concatenate') {
    const out = mergeShape(layer, inputs, inputNames);
    return 'error' in out ? { out: null, trainable: 0, nonTrainable: 0, error: out.error } : { out, trainable: 0, nonTrainable: 0 };
  }
  return step(layer, inputs[0]);
}

function step(layer: LayerSpec, input: Shape): Step {
  const bad = badCount(layer);
  if (bad) return { out: null, trainable: 0, nonTrainable: 0, error: bad };
  switch (layer.type) {
    case 'Conv2D': {
      const bad = needImage(layer, input);
      if (bad) return { out: null, trainable: 0, nonTrainable: 0, error: bad };
      const kernel = pair(layer.kernelSize);
      const hw = windowed(
        layer,
        input,
        kernel,
        pair(layer.strides ?? LAYER_DEFAULTS.strides),
        layer.padding ?? LAYER_DEFAULTS.padding,
        'kernel',
      );
      const bias = layer.useBias === false ? 0 : layer.filters;
      const params = kernel[0] * kernel[1] * input[2] * layer.filters + bias;
      if (typeof hw === 'string') return { out: null, trainable: params, nonTrainable: 0, error: hw };
      return { out: [hw[0], hw[1], layer.filters], trainable: params, nonTrainable: 0 };
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const bad = needImage(layer, input);
      if (bad) return { out: null, trainable: 0, nonTrainable: 0, error: bad };
      const pool = pair(layer.poolSize ?? LAYER_DEFAULTS.poolSize);
      const hw = windowed(layer, input, pool, pair(layer.strides ?? pool), layer.padding ?? LAYER_DEFAULTS.padding, 'pool');
      if (typeof hw === 'string') return { out: null, trainable: 0, nonTrainable: 0, error: hw };
      return { out: [hw[0], hw[1], input[2]], trainable: 0, nonTrainable: 0 };
    }
    case 'GlobalAveragePooling2D': {
      const bad = needImage(layer, input);
      if (bad) return { out: null, trainable: 0, nonTrainable: 0, error: bad };
      return { out: [input[2]], trainable: 0, nonTrainable: 0 };
    }
    case 'Flatten': {
      if (input.length === 1) return { out: input, trainable: 0, nonTrainable: 0 };
      return { out: [input.reduce((a, b) => a * b, 1)], trainable: 0, nonTrainable: 0 };
    }
    case 'Dense': {
      if (input.length !== 1) {
        return {
          out: null,
          trainable: 0,
          nonTrainable: 0,
          error: `Dense needs a flat vector but its input is an image of ${describeShape(input)}; add Flatten or GlobalAveragePooling2D before it`,
        };
      }
      const bias = layer.useBias === false ? 0 : layer.units;
      return { out: [layer.units], trainable: input[0] * layer.units + bias, nonTrainable: 0 };
    }
    case 'BatchNormalization': {
      const c = input[input.length - 1];
      // gamma and beta train; the moving mean and variance are updated, not trained (as Keras counts them).
      return { out: input, trainable: 2 * c, nonTrainable: 2 * c };
    }
    case 'Dropout':
    case 'Activation':
      return { out: input, trainable: 0, nonTrainable: 0 };
    case 'Add':
    case 'Concatenate':
      // Merges read several inputs: summarize() takes them to mergeShape().
      throw new Error(`${layer.type} is a merge`);
    default: {
      const never: never = layer;
      throw new Error(`Unsupported layer ${JSON.stringify(never)}`);
    }
  }
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
      const inferred = known ? stepOn(layer, inputShapes as Shape[], inputs.map(nameOf)) : undefined;
      s = {
        out: inferred?.error ? null : (inferred?.out ?? null),
        trainable: inferred?.trainable ?? 0,
        nonTrainable: inferred?.nonTrainable ?? 0,
        error: graphError,
      };
    } else if (inputShapes.some((x) => x === null)) {
      s = { out: null, trainable: 0, nonTrainable: 0 };
    } else {
      s = stepOn(layer, inputShapes as Shape[], inputs.map(nameOf));
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
