/**
 * A Keras model configuration (Keras 3 `config.json`, a legacy `.h5` `model_config`, or a TensorFlow.js
 * `modelTopology`, which all use Keras's snake_case keys) as a Layerbench ModelSpec. Only what Layerbench can
 * train maps; anything else is refused with every unsupported layer named, not just the first.
 */
import { formatIssues, validateModel } from '../../common/schema.js';
import {
  ACTIVATIONS,
  LAYER_TYPES,
  type Activation,
  type LayerSpec,
  type ModelSpec,
  type Padding,
  LAYER_DEFAULTS,
} from '../../common/spec.js';
import { MODEL_INPUT } from '../../common/model-graph.js';
import { functionalLayers } from './functional-order.js';
import { KerasImportError, type KerasConfig, type KerasLayerConfig } from './keras-model-config.js';
import { kerasWeightPaths } from './keras-paths.js';

export interface KerasSpec {
  spec: ModelSpec;
  /** Per layer name, the variables the file stores, in its order (a BatchNormalization may lack gamma or beta). */
  storedVars: Map<string, string[]>;
  /** Per layer name, its group under `layers/` in a Keras 3 weights file (see keras-paths.ts). */
  weightPaths: Map<string, string>;
}

const ACTIVATION_ALIASES: Record<string, Activation> = { silu: 'swish' };

/** Why a layer cannot be imported. */
class Fault {
  constructor(readonly reason: string) {}
}
const fault = (reason: string) => new Fault(reason);
const isFault = (v: unknown): v is Fault => v instanceof Fault;

function activationOf(value: unknown): Activation | Fault {
  const name = typeof value === 'string' ? value : value && typeof value === 'object' ? (value as { config?: unknown }).config : undefined;
  const a = typeof name === 'string' ? (ACTIVATION_ALIASES[name] ?? name) : undefined;
  if (a && (ACTIVATIONS as readonly string[]).includes(a)) return a as Activation;
  return fault(`activation ${JSON.stringify(value)} is not supported (supported: ${ACTIVATIONS.join(', ')})`);
}

function size2(value: unknown): [number, number] | number | undefined {
  if (typeof value === 'number') return value;
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')) return [value[0], value[1]];
  return undefined;
}

/** Square sizes become one number, as a person would write them in a spec. */
function compact(s: [number, number] | number): [number, number] | number {
  return Array.isArray(s) && s[0] === s[1] ? s[0] : s;
}

function channelsLast(c: Record<string, unknown>): Fault | undefined {
  const f = c.data_format;
  return f === undefined || f === null || f === 'channels_last'
    ? undefined
    : fault(`data_format "${String(f)}" is not supported (only channels_last)`);
}

function ones(value: unknown): boolean {
  return value === undefined || value === 1 || (Array.isArray(value) && value.every((v) => v === 1));
}

/** One Keras layer as a LayerSpec, or why it cannot be one. `null` for layers that only carry the input. */
function mapLayer(k: KerasLayerConfig, vars: string[]): LayerSpec | null | Fault {
  const c = k.config ?? {};
  const name = typeof c.name === 'string' ? c.name : undefined;
  const named = <T extends LayerSpec>(l: T): T => (name ? { ...l, name } : l);
  switch (k.class_name) {
    case 'InputLayer':
      return null;
    case 'Conv2D': {
      const a = activationOf(c.activation ?? 'linear');
      const bad = channelsLast(c) ?? (isFault(a) ? a : undefined);
      if (bad) return bad;
      if (!ones(c.dilation_rate)) return fault(`dilation_rate ${JSON.stringify(c.dilation_rate)} is not supported (only 1)`);
      if (!ones(c.groups)) return fault(`groups ${JSON.stringify(c.groups)} is not supported (only 1)`);
      const kernelSize = size2(c.kernel_size);
      if (typeof c.filters !== 'number' || kernelSize === undefined) return fault('filters or kernel_size missing');
      const useBias = c.use_bias !== false;
      vars.push(...(useBias ? ['kernel', 'bias'] : ['kernel']));
      return named({
        type: 'Conv2D',
        filters: c.filters,
        kernelSize: compact(kernelSize),
        strides: compact(size2(c.strides) ?? 1),
        padding: (c.padding ?? LAYER_DEFAULTS.padding) as Padding,
        activation: a as Activation,
        useBias,
      });
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const bad = channelsLast(c);
      if (bad) return bad;
      const poolSize = size2(c.pool_size) ?? 2;
      return named({
        type: k.class_name,
        poolSize: compact(poolSize),
        strides: compact(size2(c.strides) ?? poolSize),
        padding: (c.padding ?? LAYER_DEFAULTS.padding) as Padding,
      });
    }
    case 'GlobalAveragePooling2D':
      if (c.keepdims === true) return fault('keepdims true is not supported');
      return channelsLast(c) ?? named({ type: 'GlobalAveragePooling2D' });
    case 'Dropout':
      return named({ type: 'Dropout', rate: Number(c.rate ?? 0) });
    case 'BatchNormalization': {
      const axis = Array.isArray(c.axis) && c.axis.length === 1 ? c.axis[0] : (c.axis ?? -1);
      if (axis !== -1 && axis !== 3 && axis !== 1)
        return fault(`axis ${JSON.stringify(c.axis)} is not supported (only the channels axis, -1)`);
      // A layer without scale or center is the same as one with gamma 1 or beta 0: those are filled in.
      if (c.scale !== false) vars.push('gamma');
      if (c.center !== false) vars.push('beta');
      vars.push('moving_mean', 'moving_variance');
      return named({
        type: 'BatchNormalization',
        momentum: Number(c.momentum ?? LAYER_DEFAULTS.momentum),
        epsilon: Number(c.epsilon ?? LAYER_DEFAULTS.epsilon),
      });
    }
    case 'Flatten':
      return channelsLast(c) ?? named({ type: 'Flatten' });
    case 'Dense': {
      const a = activationOf(c.activation ?? 'linear');
      if (isFault(a)) return a;
      if (typeof c.units !== 'number') return fault('units missing');
      const useBias = c.use_bias !== false;
      vars.push(...(useBias ? ['kernel', 'bias'] : ['kernel']));
      return named({ type: 'Dense', units: c.units, activation: a, useBias });
    }
    case 'Activation': {
      const a = activationOf(c.activation);
      return isFault(a) ? a : named({ type: 'Activation', activation: a });
    }
    case 'ReLU':
      if ((c.max_value ?? null) !== null || Number(c.negative_slope ?? 0) !== 0 || Number(c.threshold ?? 0) !== 0)
        return fault('ReLU with max_value, negative_slope or threshold is not supported');
      return named({ type: 'Activation', activation: 'relu' });
    case 'Softmax':
      return c.axis === undefined || c.axis === -1
        ? named({ type: 'Activation', activation: 'softmax' })
        : fault(`axis ${JSON.stringify(c.axis)} is not supported`);
    case 'Add':
      // Its inputs come from the model's graph (specFromKerasConfig fills them in).
      return named({ type: 'Add', inputs: [] });
    case 'Concatenate':
      return c.axis === undefined || c.axis === -1
        ? named({ type: 'Concatenate', inputs: [] })
        : fault(`axis ${JSON.stringify(c.axis)} is not supported (only the last axis, -1)`);
    default:
      return fault(`layer type ${k.class_name} is not supported`);
  }
}

/**
 * A functional model's layer with the inputs it reads, given only where they are not simply the layer
 * before it (so a chain stays the short form). `before`: the spec layers so far.
 */
function withInputs(layer: LayerSpec, inputs: string[] | undefined, before: LayerSpec[]): LayerSpec {
  if (!inputs) return layer;
  const previous = before.length === 0 ? MODEL_INPUT : before[before.length - 1].name;
  const isMerge = layer.type === 'Add' || layer.type === 'Concatenate';
  if (!isMerge && inputs.length === 1 && inputs[0] === previous) return layer;
  return { ...layer, inputs } as LayerSpec;
}

function inputShapeOf(layers: KerasLayerConfig[]): [number, number, number] | undefined {
  for (const l of layers) {
    const shape = l.config?.batch_shape ?? l.config?.batch_input_shape;
    if (Array.isArray(shape)) {
      const dims = shape.slice(1);
      if (dims.length === 3 && dims.every((d) => typeof d === 'number')) return dims as [number, number, number];
      return undefined;
    }
  }
  return undefined;
}

export function specFromKerasConfig(config: KerasConfig, file: string): KerasSpec {
  const cls = config.class_name;
  const body = config.config;
  const rawLayers = Array.isArray(body) ? body : body?.layers;
  if (!Array.isArray(rawLayers)) throw new KerasImportError(`${file}: no model layers found in the model configuration`, file);
  let layers: KerasLayerConfig[];
  let graphInputs: Map<string, string[]> | undefined;
  if (cls === 'Sequential') layers = rawLayers;
  else if (cls === 'Functional' || cls === 'Model') ({ layers, inputs: graphInputs } = functionalLayers(rawLayers, file));
  else
    throw new KerasImportError(
      `${file}: model class ${String(cls)} is not supported (only Sequential models, or functional models with one input and one output)`,
      file,
    );

  const spec: LayerSpec[] = [];
  const storedVars = new Map<string, string[]>();
  const weightPaths = new Map<string, string>();
  const paths = kerasWeightPaths(layers.map((k) => k.class_name));
  const faults: string[] = [];
  layers.forEach((k, i) => {
    const vars: string[] = [];
    const mapped = mapLayer(k, vars);
    const label = `layer ${i + 1} "${String(k.config?.name ?? k.name ?? '?')}" (${k.class_name})`;
    if (isFault(mapped)) faults.push(`${label}: ${mapped.reason}`);
    else if (mapped) {
      spec.push(withInputs(mapped, graphInputs?.get(String(k.name ?? k.config?.name ?? '')), spec));
      storedVars.set(String(k.config?.name ?? ''), vars);
      weightPaths.set(String(k.config?.name ?? ''), paths[i]);
    }
  });
  if (faults.length) {
    throw new KerasImportError(
      `${file}: the model uses what Layerbench cannot train:\n  - ${faults.join('\n  - ')}\nSupported layers: ${LAYER_TYPES.join(', ')}`,
      file,
    );
  }
  const inputShape = inputShapeOf(layers);
  if (!inputShape) throw new KerasImportError(`${file}: the model has no image input shape [height, width, channels]`, file);
  const name = !Array.isArray(body) && typeof body?.name === 'string' ? body.name : undefined;
  const model: ModelSpec = { ...(name ? { name } : {}), inputShape, layers: spec };
  const checked = validateModel(model);
  if (!checked.ok)
    throw new KerasImportError(`${file}: the model is outside what Layerbench supports:\n${formatIssues(checked.issues)}`, file);
  return { spec: checked.value, storedVars, weightPaths };
}
