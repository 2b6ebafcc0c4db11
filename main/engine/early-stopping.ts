/**
 * The best epoch so far, and early stopping on it. One tracker decides both which epoch the best checkpoint
 * keeps and when early stopping gives up, so "best" means the same thing everywhere. Its state is plain data
 * saved in every checkpoint: unlike Keras's ModelCheckpoint (keras#17012), the best value survives a resume.
 */
import type { EarlyStopping, MonitorMetric } from '../../common/spec.js';
import type { EpochRecord } from '../../common/training-events.js';

export interface BestState {
  monitor: MonitorMetric;
  mode: 'min' | 'max';
  /** Best value seen (absent before the first epoch with a finite value). */
  best?: number;
  bestEpoch?: number;
  /** Epochs since the last improvement (Keras's `wait`). */
  wait: number;
}

export interface EpochVerdict {
  improved: boolean;
  /** Early stopping's patience ran out this epoch. */
  stop: boolean;
  value: number | undefined;
}

export function modeOf(monitor: MonitorMetric): 'min' | 'max' {
  return monitor.endsWith('loss') ? 'min' : 'max';
}

/** The metric to watch when the settings name none: val_loss when there is validation data, as Keras does. */
export function defaultMonitor(hasValidation: boolean): MonitorMetric {
  return hasValidation ? 'val_loss' : 'loss';
}

export class BestTracker {
  readonly state: BestState;

  constructor(
    monitor: MonitorMetric,
    private readonly early?: EarlyStopping,
    restored?: BestState,
  ) {
    if (restored && restored.monitor !== monitor) {
      throw new Error(`the checkpoint tracked ${restored.monitor} but the settings monitor ${monitor}`);
    }
    this.state = restored ? { ...restored } : { monitor, mode: modeOf(monitor), wait: 0 };
  }

  get minDelta(): number {
    return this.early?.minDelta ?? 0;
  }

  /** Updates the best value from a finished epoch; NaN or a missing metric never counts as an improvement. */
  update(record: EpochRecord): EpochVerdict {
    const value = record[this.state.monitor];
    const s = this.state;
    const finite = value !== undefined && Number.isFinite(value);
    const improved =
      finite && (s.best === undefined || (s.mode === 'min' ? value < s.best - this.minDelta : value > s.best + this.minDelta));
    if (improved) {
      s.best = value;
      s.bestEpoch = record.epoch;
      s.wait = 0;
    } else {
      s.wait++;
    }
    const stop = this.early !== undefined && !improved && s.wait >= Math.max(1, this.early.patience);
    return { improved, stop, value: finite ? value : undefined };
  }

  describeStop(): string {
    const s = this.state;
    const delta = this.minDelta > 0 ? ` by more than ${this.minDelta}` : '';
    const best = s.bestEpoch !== undefined ? `; the best was epoch ${s.bestEpoch} (${s.monitor} ${s.best?.toFixed(4)})` : '';
    return `Early stopping: ${s.monitor} did not improve${delta} for ${s.wait} epoch${s.wait === 1 ? '' : 's'}${best}`;
  }
}

/**
 * Stop-on-divergence, the tfjs counterpart of Keras's TerminateOnNaN. tfjs clips predicted probabilities to
 * [1e-7, 1 - 1e-7] before the log, so a diverging model's loss saturates near ln(1e7) = 16.1 instead of turning
 * NaN as it does in Keras (which computes the loss from the logits); once every image sits at the clip, no
 * gradient flows back and training is dead. A training loss far above random guessing (ln of the class count)
 * for several batches in a row is that state.
 */
export class DivergenceWatch {
  readonly threshold: number;
  private run = 0;

  constructor(
    readonly numClasses: number,
    private readonly batches = 3,
  ) {
    this.threshold = Math.min(Math.max(4 * Math.log(numClasses), 8), 12);
  }

  /** Returns why training diverged at this batch, or undefined while it has not. */
  check(batchLoss: number): string | undefined {
    this.run = batchLoss > this.threshold ? this.run + 1 : 0;
    if (this.run < this.batches) return undefined;
    const chance = Math.log(this.numClasses).toFixed(2);
    return `the loss diverged: above ${this.threshold.toFixed(2)} for ${this.batches} batches in a row (random guessing scores ${chance})`;
  }
}
