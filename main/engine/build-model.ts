/** Turns a validated ModelSpec into a compiled tf.LayersModel. */
import { layerNames, summarize } from '../../common/summarize.js';
import type { LayerSpec, ModelSpec, TrainingSettings } from '../../common/spec.js';
import { engineOf, type TfLayer } from './layers/index.js';
import { describeModel } from './graph/forward.js';
import { MODEL_INPUT, MODEL_INPUT_INDEX } from '../../common/model-graph.js';
import type { LayersModel, TF } from './tf-types.js';

type SymbolicTensor = ReturnType<TF['input']>;

export class ModelBuildError extends Error {
  constructor(
    message: string,
    readonly layerIndex: number | null,
  ) {
    super(message);
    this.name = 'ModelBuildError';
  }
}

function toLayer(tf: TF, layer: LayerSpec, name: string, inputShape?: number[]): TfLayer {
  return engineOf(layer).tfjs(tf, layer, { name, ...(inputShape ? { inputShape } : {}) });
}

/** Builds the (uncompiled) model. Architectural errors are caught first, on the layer at fault. */
export function buildModel(tf: TF, spec: ModelSpec, numClasses?: number): LayersModel {
  const summary = summarize(spec, numClasses !== undefined ? { numClasses } : {});
  if (!summary.ok) {
    const first = summary.errors[0];
    throw new ModelBuildError(summary.errors.map((e) => e.message).join('\n'), first.layerIndex);
  }
  const names = layerNames(spec.layers);
  const modelName = spec.name?.replace(/[^A-Za-z0-9_]/g, '_');
  let model: LayersModel;
  if (summary.isChain) {
    // A chain stays a Sequential model: the same model.json, weights and checkpoints as before graphs existed.
    const sequential = tf.sequential({ name: modelName || 'sequential' });
    spec.layers.forEach((layer, i) => sequential.add(toLayer(tf, layer, names[i], i === 0 ? [...spec.inputShape] : undefined)));
    model = sequential;
  } else {
    // A graph: tfjs's functional model, each layer applied to the outputs of the layers it reads.
    const input = tf.input({ shape: [...spec.inputShape], name: MODEL_INPUT });
    const outputs: SymbolicTensor[] = [];
    spec.layers.forEach((layer, i) => {
      const sources = summary.layers[i].inputs.map((j) => (j === MODEL_INPUT_INDEX ? input : outputs[j]));
      outputs.push(toLayer(tf, layer, names[i]).apply(sources.length === 1 ? sources[0] : sources) as SymbolicTensor);
    });
    model = tf.model({ inputs: input, outputs: outputs[outputs.length - 1], name: modelName || 'functional' });
  }
  describeModel(model, spec, summary.outputShape?.[summary.outputShape.length - 1] ?? numClasses ?? 0);
  return model;
}

export function makeOptimizer(tf: TF, settings: TrainingSettings) {
  switch (settings.optimizer) {
    case 'adam':
      // Keras's epsilon (1e-7) and betas.
      return tf.train.adam(settings.learningRate, 0.9, 0.999, 1e-7);
    case 'sgd':
      return settings.momentum > 0 ? tf.train.momentum(settings.learningRate, settings.momentum) : tf.train.sgd(settings.learningRate);
    case 'rmsprop':
      // Keras's rho (0.9) and epsilon (1e-7).
      return tf.train.rmsprop(settings.learningRate, 0.9, settings.momentum, 1e-7);
    default: {
      const never: never = settings.optimizer;
      throw new Error(`Unsupported optimizer ${String(never)}`);
    }
  }
}

export function compileModel(tf: TF, model: LayersModel, settings: TrainingSettings) {
  const optimizer = makeOptimizer(tf, settings);
  const sparse = settings.loss === 'sparseCategoricalCrossentropy';
  // tfjs knows sparse accuracy only as a function, not by name ('sparseCategoricalAccuracy' is rejected).
  model.compile({ optimizer, loss: settings.loss, metrics: [sparse ? tf.metrics.sparseCategoricalAccuracy : 'categoricalAccuracy'] });
  return optimizer;
}
