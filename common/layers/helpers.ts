/** Pieces several layer descriptors share: shape rules, Keras config parts and import checks. */
import { z } from 'zod';
import { LIMITS } from '../limits.js';
import { MERGE_INPUTS } from '../model-graph.js';
import { ACTIVATIONS, LAYER_DEFAULTS, PADDINGS, pair, type Activation, type Padding, type Size2 } from './basics.js';
import { ImportFault, type JsonObject, type Shape } from './descriptor.js';
import { DEFAULT_BIAS_INITIALIZER, DEFAULT_KERNEL_INITIALIZER, kerasInitializerOf, type Initializer } from './initializers.js';

// ---- schema parts ----
export const int = (min: number, max: number) => z.number().int().min(min).max(max);
export const size2 = (min: number, max: number) => z.union([int(min, max), z.tuple([int(min, max), int(min, max)])]);
const layerName = z.string().min(1).max(LIMITS.nameLength).optional();
/** A layer the `inputs` of another names (common/model-graph.ts resolves and checks them). */
const inputName = z.string().min(1).max(LIMITS.nameLength);
/**
 * The fields every layer type has, spread into each schema, so a field all layers gain is added here once:
 * its name and, in a graph, the earlier layers it reads (omitted: the layer before it).
 */
export const commonLayerFields = { name: layerName, inputs: z.array(inputName).min(1).max(MERGE_INPUTS.max).optional() };
/**
 * A merge's inputs (Add, Concatenate): required; how many it lists (2 to 8) is model-graph.ts's to say,
 * with a message naming the layer.
 */
export const mergeInputsSchema = z.array(inputName).max(MERGE_INPUTS.max);
export const activationSchema = z.enum(ACTIVATIONS);
export const paddingSchema = z.enum(PADDINGS);

// ---- what fields accept, in words ----
export const wholeNumber = (min: number, max: number) => `a whole number from ${min} to ${max}`;

// ---- shapes ----
export function describeShape(shape: Shape): string {
  return shape.length === 3 ? `${shape[0]}x${shape[1]}x${shape[2]}` : `a vector of ${shape[0]}`;
}

/** Why a layer that needs an image cannot take this input, or undefined when it can. */
export function needImage(type: string, input: Shape): string | undefined {
  if (input.length === 3) return undefined;
  return `${type} needs an image (height x width x channels) but its input is ${describeShape(input)}; move it before Flatten/GlobalAveragePooling2D`;
}

function windowOutput(input: number, window: number, stride: number, padding: Padding): number {
  return padding === 'same' ? Math.ceil(input / stride) : Math.floor((input - window) / stride) + 1;
}

/**
 * A convolution's output shape: the image's height and width after its kernel window (strides and padding
 * default as in Keras) with the channels it makes from the input's, or why the layer cannot take its input.
 */
export function convolvedShape(
  layer: { type: string; strides?: Size2; padding?: Padding },
  input: Shape,
  kernel: [number, number],
  channels: (inputChannels: number) => number,
): Shape | string {
  const bad = needImage(layer.type, input);
  if (bad) return bad;
  const hw = windowed(input, kernel, pair(layer.strides ?? LAYER_DEFAULTS.strides), layer.padding ?? LAYER_DEFAULTS.padding, 'kernel');
  return typeof hw === 'string' ? hw : [hw[0], hw[1], channels(input[2])];
}

/** Height and width after a sliding window, or why the window does not fit. */
export function windowed(
  input: Shape,
  kernel: [number, number],
  strides: [number, number],
  padding: Padding,
  what: string,
): [number, number] | string {
  const [h, w] = [input[0], input[1]];
  if (kernel[0] > h || kernel[1] > w) {
    if (padding === LAYER_DEFAULTS.padding) {
      return `a ${kernel[0]}x${kernel[1]} ${what} with 'valid' padding needs an input of at least ${kernel[0]}x${kernel[1]}, but this layer's input is ${h}x${w}; use padding 'same', a smaller ${what}, or fewer downsampling layers before it`;
    }
    // With 'same' padding it would run, but most of the window would only ever cover padding.
    return `a ${kernel[0]}x${kernel[1]} ${what} is larger than this layer's ${h}x${w} input; use a ${what} of at most ${h}x${w}`;
  }
  return [windowOutput(h, kernel[0], strides[0], padding), windowOutput(w, kernel[1], strides[1], padding)];
}

export const NO_PARAMS = { trainable: 0, nonTrainable: 0 };

// ---- Keras configs ----
/** Keras 3 serializes `swish` under its other name. */
export function kerasActivation(activation: Activation | undefined): string {
  const a = activation ?? 'linear';
  return a === 'swish' ? 'silu' : a;
}

export function kerasInitializer(className: string): JsonObject {
  const config: JsonObject = className === 'GlorotUniform' ? { seed: null } : {};
  return { module: 'keras.initializers', class_name: className, config, registered_name: null };
}

/** The kernel and bias settings Conv2D and Dense share, as Keras writes them. */
export function kernelAndBias(layer: { useBias?: boolean; kernelInitializer?: Initializer; biasInitializer?: Initializer }): JsonObject {
  return {
    use_bias: layer.useBias ?? true,
    kernel_initializer: kerasInitializerOf(layer.kernelInitializer ?? DEFAULT_KERNEL_INITIALIZER),
    bias_initializer: kerasInitializerOf(layer.biasInitializer ?? DEFAULT_BIAS_INITIALIZER),
    kernel_regularizer: null,
    bias_regularizer: null,
    activity_regularizer: null,
    kernel_constraint: null,
    bias_constraint: null,
  };
}

/** Conv2D's and Dense's weights: the bias only when the layer has one. */
export function kernelAndBiasWeights(useBias: boolean | undefined): { trainable: string[]; nonTrainable: string[] } {
  return { trainable: useBias === false ? ['kernel'] : ['kernel', 'bias'], nonTrainable: [] };
}

// ---- Keras import ----
const ACTIVATION_ALIASES: Record<string, Activation> = { silu: 'swish' };

export function activationOf(value: unknown): Activation | ImportFault {
  const name = typeof value === 'string' ? value : value && typeof value === 'object' ? (value as { config?: unknown }).config : undefined;
  const a = typeof name === 'string' ? (ACTIVATION_ALIASES[name] ?? name) : undefined;
  if (a && (ACTIVATIONS as readonly string[]).includes(a)) return a as Activation;
  return new ImportFault(`activation ${JSON.stringify(value)} is not supported (supported: ${ACTIVATIONS.join(', ')})`);
}

export function readSize2(value: unknown): [number, number] | number | undefined {
  if (typeof value === 'number') return value;
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')) return [value[0], value[1]];
  return undefined;
}

/** Square sizes become one number, as a person would write them in a spec. */
export function compact(s: [number, number] | number): [number, number] | number {
  return Array.isArray(s) && s[0] === s[1] ? s[0] : s;
}

export function channelsLast(c: Record<string, unknown>): ImportFault | undefined {
  const f = c.data_format;
  return f === undefined || f === null || f === 'channels_last'
    ? undefined
    : new ImportFault(`data_format "${String(f)}" is not supported (only channels_last)`);
}

export function ones(value: unknown): boolean {
  return value === undefined || value === 1 || (Array.isArray(value) && value.every((v) => v === 1));
}

/** The layer's name from a Keras config, when it has one. */
export function named<L extends object>(c: Record<string, unknown>, layer: L): L {
  return typeof c.name === 'string' && c.name ? { ...layer, name: c.name } : layer;
}

// ---- the Python script ----
export const py = (v: unknown): string => {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(py).join(', ')}]`;
  return String(v);
};

export const pyTuple = (s: Size2) => {
  const [a, b] = pair(s);
  return `(${a}, ${b})`;
};

/** The Python script's initializer arguments, those at Keras's default left out. */
export function pyInitializers(layer: { kernelInitializer?: Initializer; biasInitializer?: Initializer }): string[] {
  const p = pyArgs();
  const kernel = layer.kernelInitializer ?? DEFAULT_KERNEL_INITIALIZER;
  const bias = layer.biasInitializer ?? DEFAULT_BIAS_INITIALIZER;
  p.add('kernel_initializer', py(kernel), kernel === DEFAULT_KERNEL_INITIALIZER);
  p.add('bias_initializer', py(bias), bias === DEFAULT_BIAS_INITIALIZER);
  return p.args;
}

/** Collects Python arguments, leaving out those at their default. */
export function pyArgs(): { add(key: string, value: string, isDefault?: boolean): void; args: string[] } {
  const args: string[] = [];
  return {
    args,
    add(key, value, isDefault = false) {
      if (!isDefault) args.push(key ? `${key}=${value}` : value);
    },
  };
}

// ---- dilation ----
/** The area a dilated kernel spans: (k - 1) * d + 1 on each side, as Keras computes the output shape. */
export function dilatedKernel(kernelSize: Size2, dilationRate: Size2 | undefined): [number, number] {
  const k = pair(kernelSize);
  const d = pair(dilationRate ?? LAYER_DEFAULTS.dilationRate);
  return [(k[0] - 1) * d[0] + 1, (k[1] - 1) * d[1] + 1];
}

/** Keras refuses strides above 1 together with a dilation rate above 1; so does Layerbench, in words. */
export function dilationWithStrides(layer: { type: string; strides?: Size2; dilationRate?: Size2 }): string | undefined {
  const strided = pair(layer.strides ?? LAYER_DEFAULTS.strides).some((s) => s > 1);
  const dilated = pair(layer.dilationRate ?? LAYER_DEFAULTS.dilationRate).some((d) => d > 1);
  return strided && dilated
    ? `${layer.type} cannot combine strides above 1 with a dilation rate above 1 (Keras refuses it); set strides or dilation to 1`
    : undefined;
}
