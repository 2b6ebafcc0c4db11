/**
 * A Keras functional model is importable when it is a single chain: one input, each layer fed by exactly the
 * layer before it. Then it is the same model as a Sequential one, and its layers in file order are the chain.
 */
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

export function linearLayerOrder(layers: KerasLayerConfig[], file: string): KerasLayerConfig[] {
  const nameOf = (l: KerasLayerConfig) => String(l.name ?? l.config?.name ?? '');
  layers.forEach((layer, i) => {
    const inbound = inboundNames(layer.inbound_nodes);
    const expected = i === 0 ? [] : [nameOf(layers[i - 1])];
    if (inbound.length !== expected.length || inbound.some((n, j) => n !== expected[j])) {
      throw new KerasImportError(
        `${file}: layer ${i + 1} "${nameOf(layer)}" (${layer.class_name}) takes its input from [${inbound.join(', ') || 'nothing'}], ` +
          `not from the layer before it; only functional models that are a single chain of layers can be imported`,
        file,
      );
    }
  });
  return layers;
}
