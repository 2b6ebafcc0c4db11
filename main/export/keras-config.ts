/**
 * A ModelSpec as Keras's own model configuration: the JSON that `model.get_config()` serializes, in the form
 * Keras 3 writes to `config.json` inside a `.keras` file, and in the older form (no `module` keys) that it
 * writes to the `model_config` attribute of a legacy `.h5` file. Both were checked against files saved by
 * Keras 3.15 (`model.save(...)`), so `keras.models.load_model` rebuilds exactly the model Layerbench trained.
 */
import { layerNames } from '../../common/summarize.js';
import { descriptorOf } from '../../common/layers/index.js';
import { isSequentialSpec, kerasFunctionalConfig, KERAS_INPUT_NAME } from './keras-functional.js';
import { kerasActivation } from '../../common/layers/helpers.js';
import type { Json, JsonObject } from '../../common/layers/descriptor.js';
import type { LayerSpec, ModelSpec, TrainingSettings } from '../../common/spec.js';
import { kerasLearningRate } from './keras-schedule.js';

/** Keras 3 serializes `swish` under its other name. */
export { kerasActivation };

const FLOAT32_POLICY: JsonObject = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };

/** The `config` of one layer, the keys Keras 3 writes (defaults spelled out so nothing depends on them). */
function layerConfig(layer: LayerSpec, name: string): JsonObject {
  return { name, trainable: true, dtype: FLOAT32_POLICY, ...descriptorOf(layer).keras.config(layer) };
}

/** Keras refuses layer names with a slash (it separates variable paths); Layerbench's names allow any text. */
export function kerasNameProblem(spec: ModelSpec): string | undefined {
  const names = layerNames(spec.layers);
  const i = names.findIndex((n) => n.includes('/'));
  if (i >= 0) return `layer ${i + 1} is named "${names[i]}"; Keras does not allow "/" in layer names, rename the layer and export again`;
  const taken = names.indexOf(KERAS_INPUT_NAME);
  if (taken >= 0 && !isSequentialSpec(spec)) {
    return `layer ${taken + 1} is named "${KERAS_INPUT_NAME}", the name of the Keras functional model's input; rename the layer and export again`;
  }
  return undefined;
}

/** Keras's model names allow what Python identifiers allow; Layerbench's allow any text. */
export function kerasModelName(spec: ModelSpec): string {
  return spec.name?.replace(/[^A-Za-z0-9_]/g, '_') || (isSequentialSpec(spec) ? 'sequential' : 'functional');
}

/**
 * The model's configuration: Sequential for a chain, Functional for a graph (keras-functional.ts). `legacy`
 * gives the `.h5` form: no `module`/`registered_name` keys on the model and its layers, as Keras writes there.
 */
export function kerasModelConfig(spec: ModelSpec, legacy = false): JsonObject {
  const names = layerNames(spec.layers);
  const batchShape: Json = [null, ...spec.inputShape];
  const wrap = (module: string, className: string, config: JsonObject): JsonObject =>
    legacy ? { class_name: className, config } : { module, class_name: className, config, registered_name: null };
  const input = wrap('keras.layers', 'InputLayer', {
    batch_shape: batchShape,
    dtype: 'float32',
    sparse: false,
    ragged: false,
    name: 'input_layer',
    optional: false,
  });
  if (!isSequentialSpec(spec)) {
    return kerasFunctionalConfig(spec, kerasModelName(spec), legacy, input, (i, name) =>
      wrap('keras.layers', descriptorOf(spec.layers[i]).keras.className, layerConfig(spec.layers[i], name)),
    );
  }
  const layers = spec.layers.map((layer, i) => wrap('keras.layers', descriptorOf(layer).keras.className, layerConfig(layer, names[i])));
  const model = wrap('keras', 'Sequential', {
    name: kerasModelName(spec),
    trainable: true,
    dtype: FLOAT32_POLICY,
    layers: [input, ...layers],
    build_input_shape: batchShape,
  });
  if (!legacy) model.build_config = { input_shape: batchShape };
  return model;
}

const KERAS_LOSS: Record<TrainingSettings['loss'], string> = {
  categoricalCrossentropy: 'categorical_crossentropy',
  sparseCategoricalCrossentropy: 'sparse_categorical_crossentropy',
};

/** The optimizer with the same hyperparameters the engine uses (see main/engine/build-model.ts). */
export function kerasOptimizerConfig(t: TrainingSettings): { className: string; config: JsonObject } {
  switch (t.optimizer) {
    case 'adam':
      return {
        className: 'Adam',
        config: { name: 'adam', learning_rate: t.learningRate, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false },
      };
    case 'sgd':
      return { className: 'SGD', config: { name: 'SGD', learning_rate: t.learningRate, momentum: t.momentum, nesterov: false } };
    case 'rmsprop':
      return {
        className: 'RMSprop',
        config: { name: 'rmsprop', learning_rate: t.learningRate, rho: 0.9, momentum: t.momentum, epsilon: 1e-7, centered: false },
      };
    default: {
      const never: never = t.optimizer;
      throw new Error(`Unsupported optimizer ${String(never)}`);
    }
  }
}

export function kerasLoss(t: TrainingSettings): string {
  return KERAS_LOSS[t.loss];
}

/** `compile_config` of a `.keras` file: load_model returns a model compiled as Layerbench trained it. */
export function kerasCompileConfig(t: TrainingSettings): JsonObject {
  const opt = kerasOptimizerConfig(t);
  // A schedule stands in for the number; ReduceLROnPlateau is a callback, which compile_config cannot hold.
  const config = { ...opt.config, learning_rate: kerasLearningRate(t) };
  return {
    optimizer: { module: 'keras.optimizers', class_name: opt.className, config, registered_name: null },
    loss: kerasLoss(t),
    loss_weights: null,
    metrics: ['accuracy'],
    weighted_metrics: null,
    run_eagerly: false,
    steps_per_execution: 1,
    jit_compile: false,
  };
}

/** `training_config` attribute of a legacy `.h5` file. */
export function kerasTrainingConfig(t: TrainingSettings): JsonObject {
  const opt = kerasOptimizerConfig(t);
  return {
    loss: kerasLoss(t),
    loss_weights: null,
    metrics: ['accuracy'],
    weighted_metrics: null,
    run_eagerly: false,
    steps_per_execution: 1,
    jit_compile: false,
    // Keras 3 reads a schedule here in the same serialized form as in a .keras file.
    optimizer_config: { class_name: opt.className, config: { ...opt.config, learning_rate: kerasLearningRate(t) } },
  };
}
