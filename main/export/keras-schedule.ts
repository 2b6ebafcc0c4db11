/**
 * A run's learning-rate schedule as Keras 3 has it: ExponentialDecay and CosineDecay are
 * keras.optimizers.schedules objects that become the optimizer's learning_rate (serialized as Keras 3's
 * get_config has them, for a .keras file's compile_config); ReduceLROnPlateau is a callback of fit(),
 * so only the Python script can carry it.
 */
import { validateTraining } from '../../common/schema.js';
import type { LearningRateSchedule, MonitorMetric, ReduceLROnPlateauSchedule, TrainingSettings } from '../../common/spec.js';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** The keras.optimizers.schedules class and its config, or undefined when the rate is a plain number to the optimizer. */
export function kerasSchedule(t: TrainingSettings): { className: string; config: { [key: string]: Json } } | undefined {
  const s = t.learningRateSchedule;
  switch (s?.type) {
    case 'ExponentialDecay':
      return {
        className: 'ExponentialDecay',
        config: {
          initial_learning_rate: t.learningRate,
          decay_steps: s.decaySteps,
          decay_rate: s.decayRate,
          staircase: s.staircase,
          name: 'ExponentialDecay',
        },
      };
    case 'CosineDecay':
      return {
        className: 'CosineDecay',
        config: {
          initial_learning_rate: t.learningRate,
          decay_steps: s.decaySteps,
          alpha: s.alpha,
          name: 'CosineDecay',
          warmup_target: s.warmupTarget ?? null,
          warmup_steps: s.warmupSteps,
        },
      };
    default:
      return undefined;
  }
}

/** The optimizer's `learning_rate` in a .keras compile_config: the number, or the serialized schedule. */
export function kerasLearningRate(t: TrainingSettings): Json {
  const schedule = kerasSchedule(t);
  if (!schedule) return t.learningRate;
  return { module: 'keras.optimizers.schedules', class_name: schedule.className, config: schedule.config, registered_name: null };
}

/** The ReduceLROnPlateau callback's arguments, with the metric it watches resolved as training does. */
export function kerasPlateauArgs(t: TrainingSettings): { [key: string]: Json } | undefined {
  const s: ReduceLROnPlateauSchedule | undefined =
    t.learningRateSchedule?.type === 'ReduceLROnPlateau' ? t.learningRateSchedule : undefined;
  if (!s) return undefined;
  const runMonitor: MonitorMetric = t.monitor ?? (t.validationSplit > 0 ? 'val_loss' : 'loss');
  return {
    monitor: s.monitor ?? runMonitor,
    factor: s.factor,
    patience: s.patience,
    min_delta: s.minDelta,
    cooldown: s.cooldown,
    min_lr: s.minLr,
    verbose: 1,
  };
}

/**
 * A serialized ExponentialDecay or CosineDecay from an imported Keras file, as Layerbench's starting rate and
 * schedule; undefined for anything else (another schedule class, or values Layerbench does not accept).
 */
export function scheduleFromKeras(learningRate: unknown): { learningRate: number; schedule: LearningRateSchedule } | undefined {
  if (!learningRate || typeof learningRate !== 'object') return undefined;
  const { class_name: className, config } = learningRate as { class_name?: unknown; config?: Record<string, unknown> };
  if (!config || typeof config.initial_learning_rate !== 'number') return undefined;
  const schedule: Record<string, unknown> =
    className === 'ExponentialDecay'
      ? { type: className, decaySteps: config.decay_steps, decayRate: config.decay_rate, staircase: config.staircase ?? false }
      : className === 'CosineDecay'
        ? {
            type: className,
            decaySteps: config.decay_steps,
            alpha: config.alpha ?? 0,
            ...(typeof config.warmup_target === 'number' ? { warmupTarget: config.warmup_target } : {}),
            warmupSteps: config.warmup_steps ?? 0,
          }
        : {};
  const checked = validateTraining({ learningRate: config.initial_learning_rate, learningRateSchedule: schedule });
  if (!checked.ok || !checked.value.learningRateSchedule) return undefined;
  return { learningRate: checked.value.learningRate, schedule: checked.value.learningRateSchedule };
}
