/**
 * The learning rate of every training step under a schedule, by Keras 3's formulas
 * (keras.optimizers.schedules.ExponentialDecay and CosineDecay, the ReduceLROnPlateau callback), so the
 * engine's two training paths, the log and an exported Keras script all agree. Pure: the training loop owns
 * the plateau state and saves it in every checkpoint, so a resumed run continues where it stopped.
 */
import type { CosineDecaySchedule, ExponentialDecaySchedule, MonitorMetric, ReduceLROnPlateauSchedule, TrainingSettings } from './spec.js';

/** What ReduceLROnPlateau remembers between epochs (Keras's best, wait, cooldown_counter and the optimizer's rate). */
export interface PlateauState {
  /** Best monitored value so far; absent before the first (Keras starts from ±infinity). */
  best?: number;
  wait: number;
  cooldownCounter: number;
  /** The current learning rate, as float32 like the optimizer variable Keras keeps it in. */
  lr: number;
}

export function initialPlateauState(learningRate: number): PlateauState {
  return { wait: 0, cooldownCounter: 0, lr: Math.fround(learningRate) };
}

export function exponentialDecay(initial: number, s: ExponentialDecaySchedule, step: number): number {
  const p = step / s.decaySteps;
  return initial * Math.pow(s.decayRate, s.staircase ? Math.floor(p) : p);
}

export function cosineDecay(initial: number, s: CosineDecaySchedule, step: number): number {
  const decay = (at: number, from: number) => {
    const cosine = 0.5 * (1 + Math.cos((Math.PI * at) / s.decaySteps));
    return from * ((1 - s.alpha) * cosine + s.alpha);
  };
  if (s.warmupTarget === undefined) return decay(Math.min(step, s.decaySteps), initial);
  const at = Math.min(step, s.decaySteps + s.warmupSteps);
  if (at < s.warmupSteps) return (s.warmupTarget - initial) * (at / s.warmupSteps) + initial;
  return decay(at - s.warmupSteps, s.warmupTarget);
}

/**
 * The learning rate of optimizer step `step` (0-based, counted over the whole run: the batches of the epochs
 * before plus this epoch's), as Keras reads it from the schedule at the optimizer's iteration count.
 * ReduceLROnPlateau's rate is whatever its state holds (it only changes between epochs).
 */
export function learningRateAt(settings: TrainingSettings, step: number, plateau?: PlateauState): number {
  const s = settings.learningRateSchedule;
  switch (s?.type) {
    case undefined:
      return settings.learningRate;
    case 'ExponentialDecay':
      return exponentialDecay(settings.learningRate, s, step);
    case 'CosineDecay':
      return cosineDecay(settings.learningRate, s, step);
    case 'ReduceLROnPlateau':
      return plateau?.lr ?? settings.learningRate;
  }
}

export function plateauMonitor(s: ReduceLROnPlateauSchedule, runMonitor: MonitorMetric): MonitorMetric {
  return s.monitor ?? runMonitor;
}

/**
 * ReduceLROnPlateau's on_epoch_end: the state after an epoch whose monitored metric was `value` (undefined:
 * not available, which changes nothing, as Keras only warns). `reduced` says the rate was lowered.
 */
export function plateauAfterEpoch(
  s: ReduceLROnPlateauSchedule,
  state: PlateauState,
  value: number | undefined,
  mode: 'min' | 'max',
): { state: PlateauState; reduced: boolean } {
  if (value === undefined) return { state, reduced: false };
  const next = { ...state };
  if (next.cooldownCounter > 0) {
    next.cooldownCounter--;
    next.wait = 0;
  }
  // Keras compares against ±infinity before the first epoch, which NaN never beats.
  const improved =
    next.best === undefined ? !Number.isNaN(value) : mode === 'min' ? value < next.best - s.minDelta : value > next.best + s.minDelta;
  if (improved) {
    next.best = value;
    next.wait = 0;
    return { state: next, reduced: false };
  }
  if (next.cooldownCounter > 0) return { state: next, reduced: false };
  next.wait++;
  if (next.wait < s.patience || !(next.lr > Math.fround(s.minLr))) return { state: next, reduced: false };
  next.lr = Math.fround(Math.max(next.lr * s.factor, s.minLr));
  next.cooldownCounter = s.cooldown;
  next.wait = 0;
  return { state: next, reduced: true };
}
