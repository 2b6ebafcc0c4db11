/**
 * The model specification: a Keras-like description of a CNN as plain data.
 * Pure TypeScript: imported by the engine, the CLI, the main process and the renderer.
 */
import type { LayerSpec } from './layers/index.js';

export { ACTIVATIONS, PADDINGS, LAYER_DEFAULTS, pair, type Activation, type Padding, type Size2 } from './layers/basics.js';
// Each layer type is declared once, with its zod schema, in common/layers/ (one file per type); the layer
// types are inferred from those schemas, so the type and the validation cannot drift apart.
export { LAYER_TYPES, isLayerType, type LayerOf, type LayerSpec, type LayerType } from './layers/index.js';

export interface ModelSpec {
  name?: string;
  /** [height, width, channels], channels last as in Keras. */
  inputShape: [number, number, number];
  /**
   * In an order where each layer comes after the layers it reads. A layer reads the one before it unless
   * its `inputs` names others (common/model-graph.ts): a chain, or a directed acyclic graph.
   */
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
  /** How the learning rate changes during training, starting from `learningRate` (absent: it stays fixed). */
  learningRateSchedule?: LearningRateSchedule;
}

/**
 * Keras's learning-rate schedules, with Keras's names and formulas (common/lr-schedule.ts), so an exported
 * script trains the same. ExponentialDecay and CosineDecay count optimizer steps (batches) from the first
 * batch of the run, as keras.optimizers.schedules do; step decay is ExponentialDecay with `staircase`.
 * ReduceLROnPlateau is Keras's callback of that name: it acts after each epoch.
 */
export type LearningRateSchedule = ExponentialDecaySchedule | CosineDecaySchedule | ReduceLROnPlateauSchedule;

export const LR_SCHEDULE_TYPES = ['ExponentialDecay', 'CosineDecay', 'ReduceLROnPlateau'] as const;
export type LearningRateScheduleType = (typeof LR_SCHEDULE_TYPES)[number];

/** learningRate * decayRate^(step / decaySteps); with staircase the exponent is floored (step decay). */
export interface ExponentialDecaySchedule {
  type: 'ExponentialDecay';
  decaySteps: number;
  decayRate: number;
  staircase: boolean;
}

/**
 * Keras 3's CosineDecay: with a warmupTarget, a linear warm-up from learningRate to warmupTarget over
 * warmupSteps, then a cosine from there down to alpha times it over decaySteps; it stays there after.
 */
export interface CosineDecaySchedule {
  type: 'CosineDecay';
  decaySteps: number;
  /** The floor, as a fraction of the rate the cosine starts from. */
  alpha: number;
  warmupTarget?: number;
  warmupSteps: number;
}

/** Keras's ReduceLROnPlateau callback: multiply the rate by `factor` after `patience` epochs without improvement. */
export interface ReduceLROnPlateauSchedule {
  type: 'ReduceLROnPlateau';
  /** Absent: the run's monitor (val_loss when there is a validation set, else loss). */
  monitor?: MonitorMetric;
  factor: number;
  patience: number;
  minDelta: number;
  /** Epochs to wait after a reduction before counting epochs without improvement again. */
  cooldown: number;
  minLr: number;
}

/** Each schedule's starting values in the UI; the optional fields take Keras's defaults in spec files too. */
export const DEFAULT_LR_SCHEDULES: { [K in LearningRateScheduleType]: Extract<LearningRateSchedule, { type: K }> } = {
  ExponentialDecay: { type: 'ExponentialDecay', decaySteps: 1000, decayRate: 0.96, staircase: false },
  CosineDecay: { type: 'CosineDecay', decaySteps: 1000, alpha: 0, warmupSteps: 0 },
  ReduceLROnPlateau: { type: 'ReduceLROnPlateau', factor: 0.1, patience: 10, minDelta: 1e-4, cooldown: 0, minLr: 0 },
};

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
