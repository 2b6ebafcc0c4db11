/**
 * A graph spec (common/model-graph.ts) as a Keras 3 functional model: the `Functional` config with an
 * InputLayer named "input_layer" and each layer's inbound node (the Keras tensors it is called on), and the
 * order Keras itself puts the layers in. Keras orders a functional model's layers by depth (the longest
 * path to the output, deepest first), ties by the order a depth-first walk from the output meets them
 * (keras/src/ops/function.py, map_graph); `model.layers`, the weight file's `layers/conv2d_1` numbering
 * and a legacy `.h5` file's `layer_names` all follow it, so an export must too. A chain keeps spec order.
 */
import { MODEL_INPUT_INDEX } from '../../common/model-graph.js';
import type { ModelSpec } from '../../common/spec.js';
import { layerNames, summarize } from '../../common/summarize.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The name of the functional model's input layer, as Keras names it. */
export const KERAS_INPUT_NAME = 'input_layer';

/** Whether the spec exports as a Sequential model (every layer reads the one before it). */
export function isSequentialSpec(spec: ModelSpec): boolean {
  return summarize(spec).isChain;
}

/** The spec's layer indexes in the order Keras lists them in `model.layers` (after the InputLayer). */
export function kerasLayerOrder(spec: ModelSpec): number[] {
  const summary = summarize(spec);
  const count = spec.layers.length;
  if (summary.isChain) return spec.layers.map((_, i) => i);
  const inputs = summary.layers.map((l) => l.inputs);
  // Depth-first from the output through each layer's inputs in call order: the first visit numbers a layer.
  const visitOrder = new Map<number, number>();
  const visit = (i: number) => {
    if (i === MODEL_INPUT_INDEX || visitOrder.has(i)) return;
    visitOrder.set(i, visitOrder.size);
    inputs[i].forEach(visit);
  };
  visit(count - 1);
  // Depth: the longest path to the output (every layer reaches it: model-graph.ts refuses unused outputs).
  const depth = new Array<number>(count).fill(0);
  for (let i = count - 1; i >= 0; i--) {
    for (const j of inputs[i]) if (j !== MODEL_INPUT_INDEX) depth[j] = Math.max(depth[j], depth[i] + 1);
  }
  return spec.layers.map((_, i) => i).sort((a, b) => depth[b] - depth[a] || (visitOrder.get(a) ?? 0) - (visitOrder.get(b) ?? 0));
}

/**
 * The `Functional` model config. `layerEntry` gives one layer's serialized form (module, class_name,
 * config ... as a Sequential model lists it); this adds its `name` and `inbound_nodes`.
 */
export function kerasFunctionalConfig(
  spec: ModelSpec,
  modelName: string,
  legacy: boolean,
  inputLayer: JsonObject,
  layerEntry: (index: number, name: string) => JsonObject,
): JsonObject {
  const summary = summarize(spec);
  const names = layerNames(spec.layers);
  const tensor = (j: number): JsonObject => {
    const shape = j === MODEL_INPUT_INDEX ? spec.inputShape : summary.layers[j].outputShape!;
    const from = j === MODEL_INPUT_INDEX ? KERAS_INPUT_NAME : names[j];
    return { class_name: '__keras_tensor__', config: { shape: [null, ...shape], dtype: 'float32', keras_history: [from, 0, 0] } };
  };
  const layers: JsonObject[] = [{ ...inputLayer, name: KERAS_INPUT_NAME, inbound_nodes: [] }];
  for (const i of kerasLayerOrder(spec)) {
    const sources = summary.layers[i].inputs.map(tensor);
    // A merge is called on a list of tensors, any other layer on one tensor.
    const args: Json[] = spec.layers[i].type === 'Add' || spec.layers[i].type === 'Concatenate' ? [sources] : sources;
    layers.push({ ...layerEntry(i, names[i]), name: names[i], inbound_nodes: [{ args, kwargs: {} }] });
  }
  const config: JsonObject = {
    name: modelName,
    trainable: true,
    layers,
    input_layers: [KERAS_INPUT_NAME, 0, 0],
    output_layers: [names[names.length - 1], 0, 0],
  };
  if (legacy) return { class_name: 'Functional', config };
  return {
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    config,
    registered_name: 'Functional',
    build_config: { input_shape: null },
  };
}
