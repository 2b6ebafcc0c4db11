/**
 * A ModelSpec as Keras's own model configuration: the JSON that `model.get_config()` serializes, in the form
 * Keras 3 writes to `config.json` inside a `.keras` file, and in the older form (no `module` keys) that it
 * writes to the `model_config` attribute of a legacy `.h5` file. Both were checked against files saved by
 * Keras 3.15 (`model.save(...)`), so `keras.models.load_model` rebuilds exactly the model Layerbench trained.
 */
import { layerNames } from '../../common/summarize.js';
import { pair, type Activation, type LayerSpec, type ModelSpec, type TrainingSettings, LAYER_DEFAULTS } from '../../common/spec.js';
import { isSequentialSpec, kerasFunctionalConfig, KERAS_INPUT_NAME } from './keras-functional.js';
import { kerasLearningRate } from './keras-schedule.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Keras 3 serializes `swish` under its other name. */
export function kerasActivation(activation: Activation | undefined): string {
  const a = activation ?? 'linear';
  return a === 'swish' ? 'silu' : a;
}

const FLOAT32_POLICY: JsonObject = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };

function initializer(className: string): JsonObject {
  const config: JsonObject = className === 'GlorotUniform' ? { seed: null } : {};
  return { module: 'keras.initializers', class_name: className, config, registered_name: null };
}

/** The kernel and bias settings Conv2D and Dense share, as Keras writes them. */
function kernelAndBias(useBias: boolean | undefined) {
  return {
    use_bias: useBias ?? true,
    kernel_initializer: initializer('GlorotUniform'),
    bias_initializer: initializer('Zeros'),
    kernel_regularizer: null,
    bias_regularizer: null,
    activity_regularizer: null,
    kernel_constraint: null,
    bias_constraint: null,
  };
}

/** The `config` of one layer, the keys Keras 3 writes (defaults spelled out so nothing depends on them). */
function layerConfig(layer: LayerSpec, name: string): JsonObject {
  const base: JsonObject = { name, trainable: true, dtype: FLOAT32_POLICY };
  switch (layer.type) {
    case 'Conv2D':
      return {
        ...base,
        filters: layer.filters,
        kernel_size: pair(layer.kernelSize),
        strides: pair(layer.strides ?? LAYER_DEFAULTS.strides),
        padding: layer.padding ?? LAYER_DEFAULTS.padding,
        data_format: 'channels_last',
        dilation_rate: [1, 1],
        groups: 1,
        activation: kerasActivation(layer.activation),
        ...kernelAndBias(layer.useBias),
      };
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const poolSize = pair(layer.poolSize ?? LAYER_DEFAULTS.poolSize);
      return {
        ...base,
        pool_size: poolSize,
        padding: layer.padding ?? LAYER_DEFAULTS.padding,
        strides: pair(layer.strides ?? poolSize),
        data_format: 'channels_last',
      };
    }
    case 'GlobalAveragePooling2D':
      return { ...base, data_format: 'channels_last', keepdims: false };
    case 'Dropout':
      return { ...base, rate: layer.rate, seed: null, noise_shape: null };
    case 'BatchNormalization':
      return {
        ...base,
        axis: -1,
        momentum: layer.momentum ?? LAYER_DEFAULTS.momentum,
        epsilon: layer.epsilon ?? LAYER_DEFAULTS.epsilon,
        center: true,
        scale: true,
        beta_initializer: initializer('Zeros'),
        gamma_initializer: initializer('Ones'),
        moving_mean_initializer: initializer('Zeros'),
        moving_variance_initializer: initializer('Ones'),
        beta_regularizer: null,
        gamma_regularizer: null,
        beta_constraint: null,
        gamma_constraint: null,
        synchronized: false,
      };
    case 'Flatten':
      return { ...base, data_format: 'channels_last' };
    case 'Dense':
      return {
        ...base,
        units: layer.units,
        activation: kerasActivation(layer.activation),
        ...kernelAndBias(layer.useBias),
      };
    case 'Activation':
      return { ...base, activation: kerasActivation(layer.activation) };
    case 'Add':
      return base;
    case 'Concatenate':
      return { ...base, axis: layer.axis ?? -1 };
    default: {
      const never: never = layer;
      throw new Error(`Unsupported layer ${JSON.stringify(never)}`);
    }
  }
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
 * The model's configuration: Sequential for a chain, Functional for a graph (keras-functional.ts). `legacy` gives the `.h5` form: no `module`/`registered_name` keys on
 * the model and its layers, as Keras itself writes there.
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
      wrap('keras.layers', spec.layers[i].type, layerConfig(spec.layers[i], name)),
    );
  }
  const layers = spec.layers.map((layer, i) => wrap('keras.layers', layer.type, layerConfig(layer, names[i])));
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
