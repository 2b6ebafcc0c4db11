/**
 * A Keras model configuration (Keras 3 `config.json`, a legacy `.h5` `model_config`, or a TensorFlow.js
 * `modelTopology`, which all use Keras's snake_case keys) as a Layerbench ModelSpec. Only what Layerbench can
 * train maps; anything else is refused with every unsupported layer named, not just the first.
 */
import { formatIssues, validateModel } from '../../common/schema.js';
import { ImportFault } from '../../common/layers/descriptor.js';
import { LAYERS, LAYER_TYPES } from '../../common/layers/index.js';
import type { LayerSpec, ModelSpec } from '../../common/spec.js';
import { isMergeType, MODEL_INPUT } from '../../common/model-graph.js';
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

/** Why a layer cannot be imported. */
const fault = (reason: string) => new ImportFault(reason);
const isFault = (v: unknown): v is ImportFault => v instanceof ImportFault;

/** Which layer type reads each Keras class (ReLU and Softmax become Activation layers). */
const BY_KERAS_CLASS = new Map(LAYER_TYPES.flatMap((t) => LAYERS[t].keras.importClasses.map((cls) => [cls, LAYERS[t]] as const)));

/** One Keras layer as a LayerSpec, or why it cannot be one. `null` for layers that only carry the input. */
function mapLayer(k: KerasLayerConfig, vars: string[]): LayerSpec | null | ImportFault {
  if (k.class_name === 'InputLayer') return null;
  const descriptor = BY_KERAS_CLASS.get(String(k.class_name));
  if (!descriptor) return fault(`layer type ${k.class_name} is not supported`);
  const imported = descriptor.keras.fromConfig(k.config ?? {}, String(k.class_name));
  if (isFault(imported)) return imported;
  vars.push(...imported.storedVars);
  return imported.layer;
}

/**
 * A functional model's layer with the inputs it reads, given only where they are not simply the layer
 * before it (so a chain stays the short form). `before`: the spec layers so far.
 */
function withInputs(layer: LayerSpec, inputs: string[] | undefined, before: LayerSpec[]): LayerSpec {
  if (!inputs) return layer;
  const previous = before.length === 0 ? MODEL_INPUT : before[before.length - 1].name;
  if (!isMergeType(layer.type) && inputs.length === 1 && inputs[0] === previous) return layer;
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
