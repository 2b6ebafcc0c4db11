/**
 * A Keras functional model as a Layerbench graph: one input, one output, each layer called once, on the
 * model input or on earlier layers' outputs. The layers keep the file's order (Keras writes them deepest
 * first, which lists every layer after the layers it reads); each layer's inputs are read from its
 * inbound node. A chain comes out as a chain.
 */
import { MODEL_INPUT } from '../../common/model-graph.js';
import { KerasImportError, type KerasLayerConfig } from './keras-model-config.js';

/**
 * Names of the layers feeding a layer. Keras 3 writes `keras_history: [name, node, tensor]` inside each
 * argument; Keras 2 and TensorFlow.js write `[[[name, node, tensor, kwargs], ...]]`.
 */
function inboundNames(nodes: unknown): string[] {
  const found: string[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) {
      if (v.length >= 3 && typeof v[0] === 'string' && typeof v[1] === 'number' && typeof v[2] === 'number') found.push(v[0]);
      else v.forEach(visit);
    } else if (v && typeof v === 'object') {
      const history = (v as { keras_history?: unknown }).keras_history;
      if (Array.isArray(history) && typeof history[0] === 'string') found.push(history[0]);
      else Object.values(v).forEach(visit);
    }
  };
  visit(nodes);
  return found;
}

/** How many times a layer is called in the model (a shared layer has several inbound nodes). */
function nodeCount(nodes: unknown): number {
  return Array.isArray(nodes) ? nodes.length : 0;
}

export interface FunctionalLayers {
  /** The layers in file order, the input layer included. */
  layers: KerasLayerConfig[];
  /** Per layer name: the layers it reads, the model input as "input" (common/model-graph.ts). */
  inputs: Map<string, string[]>;
}

/**
 * Each layer's inputs, checked: one InputLayer, no shared layers, every input an earlier layer, the last
 * layer the model's one output. Throws KerasImportError naming the layer at fault.
 */
export function functionalLayers(layers: KerasLayerConfig[], file: string): FunctionalLayers {
  const nameOf = (l: KerasLayerConfig) => String(l.name ?? l.config?.name ?? '');
  const refuse = (why: string) => {
    throw new KerasImportError(`${file}: ${why}; only functional models with one input and one output can be imported`, file);
  };
  const inputLayers = layers.filter((l) => l.class_name === 'InputLayer');
  if (inputLayers.length !== 1) refuse(`the model has ${inputLayers.length} input layers`);
  const inputName = nameOf(inputLayers[0]);
  const seen = new Set<string>();
  const read = new Set<string>();
  const inputs = new Map<string, string[]>();
  layers.forEach((layer, i) => {
    const name = nameOf(layer);
    const label = `layer ${i + 1} "${name}" (${layer.class_name})`;
    if (layer.class_name === 'InputLayer') {
      seen.add(name);
      return;
    }
    if (nodeCount(layer.inbound_nodes) > 1) refuse(`${label} is called ${nodeCount(layer.inbound_nodes)} times (a shared layer)`);
    const from = inboundNames(layer.inbound_nodes);
    if (from.length === 0) refuse(`${label} takes no input`);
    for (const source of from) {
      if (!seen.has(source)) {
        throw new KerasImportError(`${file}: ${label} takes its input from "${source}", which is not a layer listed before it`, file);
      }
      read.add(source);
    }
    inputs.set(
      name,
      from.map((source) => (source === inputName ? MODEL_INPUT : source)),
    );
    seen.add(name);
  });
  const last = nameOf(layers[layers.length - 1]);
  const unread = layers.map(nameOf).filter((n) => n !== last && !read.has(n));
  if (unread.length > 0) refuse(`the output of ${unread.map((n) => `"${n}"`).join(', ')} is not read by any layer (several outputs)`);
  return { layers, inputs };
}
