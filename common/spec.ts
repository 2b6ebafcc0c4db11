/**
 * The model specification: a Keras-like description of a CNN as plain data.
 * Pure TypeScript: imported by the engine, the CLI, the main process and the renderer.
 */
import type { z } from 'zod';
import type { LayerSchemas } from './schema.js';

export const ACTIVATIONS = [
  'linear',
  'relu',
  'relu6',
  'elu',
  'selu',
  'sigmoid',
  'tanh',
  'softmax',
  'softplus',
  'softsign',
  'swish',
] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export const PADDINGS = ['valid', 'same'] as const;
export type Padding = (typeof PADDINGS)[number];

/** A size given as one number (square) or as [height, width]. */
export type Size2 = number | [number, number];

// Each layer's type is inferred from its zod schema in schema.ts (the one declaration of its fields, limits
// and messages), so the type and the validation cannot drift apart.
export type Conv2DLayer = z.output<LayerSchemas['Conv2D']>;
/** `strides` defaults to poolSize, as in Keras. */
export type Pooling2DLayer = z.output<LayerSchemas['MaxPooling2D']> | z.output<LayerSchemas['AveragePooling2D']>;
export type GlobalAveragePooling2DLayer = z.output<LayerSchemas['GlobalAveragePooling2D']>;
export type DropoutLayer = z.output<LayerSchemas['Dropout']>;
export type BatchNormalizationLayer = z.output<LayerSchemas['BatchNormalization']>;
export type FlattenLayer = z.output<LayerSchemas['Flatten']>;
export type DenseLayer = z.output<LayerSchemas['Dense']>;
export type ActivationLayer = z.output<LayerSchemas['Activation']>;

export const LAYER_TYPES = [
  'Conv2D',
  'MaxPooling2D',
  'AveragePooling2D',
  'GlobalAveragePooling2D',
  'Dropout',
  'BatchNormalization',
  'Flatten',
  'Dense',
  'Activation',
] as const;
export type LayerType = (typeof LAYER_TYPES)[number];

export type LayerSpec = { [T in LayerType]: z.output<LayerSchemas[T]> }[LayerType];

export function isLayerType(value: unknown): value is LayerType {
  return typeof value === 'string' && (LAYER_TYPES as readonly string[]).includes(value);
}

export interface ModelSpec {
  name?: string;
  /** [height, width, channels], channels last as in Keras. */
  inputShape: [number, number, number];
  layers: LayerSpec[];
}

export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export const LOSSES = ['categoricalCrossentropy', 'sparseCategoricalCrossentropy'] as const;
export type LossName = (typeof LOSSES)[number];

export interface TrainingSettings {
  optimizer: OptimizerName;
  learningRate: number;
  /** Only used by sgd and rmsprop. */
  momentum: number;
  loss: LossName;
  batchSize: number;
  epochs: number;
  /**
   * Held out for validation, stratified by class: a fraction of the training set below 1 (0 for none),
   * or a count of images from 1 up.
   */
  validationSplit: number;
  seed: number;
  augmentation: Augmentation;
  /**
   * The metric that decides the best epoch: the best checkpoint keeps it and early stopping watches it.
   * Absent: val_loss when there is a validation set, else loss.
   */
  monitor?: MonitorMetric;
  /** Stop when `monitor` stops improving (absent: train every epoch). */
  earlyStopping?: EarlyStopping;
}

export const MONITOR_METRICS = ['val_loss', 'val_accuracy', 'loss', 'accuracy'] as const;
export type MonitorMetric = (typeof MONITOR_METRICS)[number];

/** Keras's EarlyStopping: an epoch improves when it beats the best by more than minDelta. */
export interface EarlyStopping {
  /** Epochs without improvement before training stops. */
  patience: number;
  minDelta: number;
  /** When stopping, put back the weights of the best epoch (tfjs's own callback cannot). */
  restoreBestWeights: boolean;
}

export const DEFAULT_EARLY_STOPPING: EarlyStopping = { patience: 5, minDelta: 0, restoreBestWeights: true };

/** Per-batch augmentation of training images, seeded by the run's seed. */
export interface Augmentation {
  horizontalFlip: boolean;
  /** Random shift of up to this many pixels in each direction, the border zero-padded (0 for none). */
  shiftPixels: number;
}

/** What a spec file holds: the model and, optionally, how to train it. */
export interface ExperimentSpec {
  model: ModelSpec;
  training: TrainingSettings;
}

/** Keras defaults, and the seed experiment's settings (Adam 0.001, batch 32, 10 epochs). */
export const DEFAULT_TRAINING: TrainingSettings = {
  optimizer: 'adam',
  learningRate: 0.001,
  // Keras's default for both SGD and RMSprop; the UI suggests 0.9 when SGD is chosen.
  momentum: 0,
  loss: 'categoricalCrossentropy',
  batchSize: 32,
  epochs: 10,
  validationSplit: 0.2,
  seed: 42,
  augmentation: { horizontalFlip: false, shiftPixels: 0 },
};

export function pair(size: Size2): [number, number] {
  return typeof size === 'number' ? [size, size] : [size[0], size[1]];
}

/** What an omitted optional layer field means: Keras's defaults, used by summaries, the engine and exports alike. */
export const LAYER_DEFAULTS = {
  padding: 'valid' as Padding,
  strides: 1,
  poolSize: 2,
  momentum: 0.99,
  epsilon: 1e-3,
} as const;
