/**
 * The learning rate through a run: the schedule's rate for each optimizer step (common/lr-schedule.ts) and,
 * under ReduceLROnPlateau, the callback's state after each epoch, which checkpoints keep for a resume.
 */
import { initialPlateauState, learningRateAt, plateauAfterEpoch, plateauMonitor, type PlateauState } from '../../common/lr-schedule.js';
import type { MonitorMetric, TrainingSettings } from '../../common/spec.js';
import type { EpochRecord } from '../../common/training-events.js';
import { modeOf } from './early-stopping.js';

export class LearningRateTracker {
  private state: PlateauState | undefined;
  private readonly monitor: MonitorMetric | undefined;

  constructor(
    private readonly settings: TrainingSettings,
    runMonitor: MonitorMetric,
    hasValidation: boolean,
    restored?: PlateauState,
  ) {
    const s = settings.learningRateSchedule;
    if (s?.type !== 'ReduceLROnPlateau') return;
    this.monitor = plateauMonitor(s, runMonitor);
    if (this.monitor.startsWith('val_') && !hasValidation) {
      throw Object.assign(
        new Error(`ReduceLROnPlateau cannot monitor ${this.monitor}: this run has no validation set (validation split is 0)`),
        { code: 'MONITOR_UNAVAILABLE' },
      );
    }
    this.state = restored ? { ...restored } : initialPlateauState(settings.learningRate);
  }

  /** The learning rate of optimizer step `step` (0-based over the whole run). */
  at(step: number): number {
    return learningRateAt(this.settings, step, this.state);
  }

  /** ReduceLROnPlateau's state to checkpoint (absent under other schedules). */
  get plateau(): PlateauState | undefined {
    return this.state ? { ...this.state } : undefined;
  }

  /** Lets ReduceLROnPlateau see a finished epoch; returns Keras's message when it lowered the rate. */
  afterEpoch(record: EpochRecord): string | undefined {
    const s = this.settings.learningRateSchedule;
    if (s?.type !== 'ReduceLROnPlateau' || !this.state || !this.monitor) return undefined;
    const next = plateauAfterEpoch(s, this.state, record[this.monitor], modeOf(this.monitor));
    this.state = next.state;
    return next.reduced ? `Epoch ${record.epoch}: ReduceLROnPlateau reducing learning rate to ${this.state.lr}.` : undefined;
  }
}
