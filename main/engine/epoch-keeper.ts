/**
 * What the training loop does around each epoch for fault tolerance, kept out of the loop itself: putting a
 * checkpoint's weights and optimizer state back on resume, tracking the best epoch, writing the `best` and
 * `last` checkpoints, and early stopping with restore-best-weights.
 */
import type { TrainingSettings } from '../../common/spec.js';
import type { EpochRecord } from '../../common/training-events.js';
import type { CheckpointStore, RestoredCheckpoint } from './checkpoint.js';
import { BestTracker, defaultMonitor, type BestState, type EpochVerdict } from './early-stopping.js';
import type { LayersModel, TF, Tensor } from './tf-types.js';
import type { PlateauState } from '../../common/lr-schedule.js';

export interface ResumeFrom extends RestoredCheckpoint {
  /** The best epoch's weights, for restore-best-weights after a resume (from the `best` checkpoint). */
  bestWeights?: Tensor[];
}

export interface EarlyStop {
  /** The epoch after which training stopped. */
  epoch: number;
  bestEpoch?: number;
  /** True when the best epoch's weights were put back into the model. */
  restored: boolean;
}

export class EpochKeeper {
  private bestWeights: Tensor[] | undefined;
  readonly tracker: BestTracker;

  private constructor(
    private readonly tf: TF,
    private readonly settings: TrainingSettings,
    hasValidation: boolean,
    private readonly checkpoints: CheckpointStore | undefined,
    resume: ResumeFrom | undefined,
  ) {
    const monitor = settings.monitor ?? defaultMonitor(hasValidation);
    if (monitor.startsWith('val_') && !hasValidation) {
      throw Object.assign(new Error(`cannot monitor ${monitor}: this run has no validation set (validation split is 0)`), {
        code: 'MONITOR_UNAVAILABLE',
      });
    }
    this.tracker = new BestTracker(monitor, settings.earlyStopping, resume?.state.best);
    if (this.keepsBestWeights) this.bestWeights = resume?.bestWeights;
  }

  /** Builds the keeper and, when resuming, puts the checkpoint's weights and optimizer state into `model`. */
  static async create(
    tf: TF,
    model: LayersModel,
    settings: TrainingSettings,
    hasValidation: boolean,
    checkpoints?: CheckpointStore,
    resume?: ResumeFrom,
  ): Promise<EpochKeeper> {
    const keeper = new EpochKeeper(tf, settings, hasValidation, checkpoints, resume);
    if (resume) {
      model.setWeights(resume.weights);
      // Empty when the checkpoint's optimizer had not stepped yet (or a test swaps optimizers).
      if (resume.optimizerWeights.length > 0) await model.optimizer.setWeights(resume.optimizerWeights);
      tf.dispose([...resume.weights, ...resume.optimizerWeights.map((w) => w.tensor)]);
    }
    return keeper;
  }

  private get keepsBestWeights(): boolean {
    return this.settings.earlyStopping?.restoreBestWeights === true;
  }

  get best(): BestState {
    return { ...this.tracker.state };
  }

  /**
   * Call after each completed epoch (already in `history`). The `best` checkpoint is written before `last`, so
   * a crash between the two leaves `last` one epoch behind, never a `last` whose best is missing.
   */
  async afterEpoch(model: LayersModel, record: EpochRecord, history: EpochRecord[], plateau?: PlateauState): Promise<EpochVerdict> {
    const verdict = this.tracker.update(record);
    if (verdict.improved && this.keepsBestWeights) {
      this.tf.dispose(this.bestWeights ?? []);
      this.bestWeights = model.getWeights().map((w) => w.clone());
    }
    if (this.checkpoints) {
      const base = {
        version: 1 as const,
        epoch: record.epoch,
        history: [...history],
        best: this.best,
        ...(plateau ? { plateau } : {}),
        savedAt: new Date().toISOString(),
      };
      if (verdict.improved) await this.checkpoints.write(this.tf, model, { ...base, kind: 'best' });
      await this.checkpoints.write(this.tf, model, { ...base, kind: 'last' });
    }
    return verdict;
  }

  /** Ends training early: puts the best weights back when asked to, and says what happened. */
  stopEarly(model: LayersModel, epoch: number): { stop: EarlyStop; message: string } {
    const restored = this.keepsBestWeights && this.bestWeights !== undefined && this.tracker.state.bestEpoch !== epoch;
    if (restored) model.setWeights(this.bestWeights!);
    const bestEpoch = this.tracker.state.bestEpoch;
    const message =
      this.tracker.describeStop() +
      (restored ? `. Restored the weights of epoch ${bestEpoch}.` : this.keepsBestWeights ? '.' : ". Kept the last epoch's weights.");
    return { stop: { epoch, ...(bestEpoch !== undefined ? { bestEpoch } : {}), restored }, message };
  }

  dispose(): void {
    this.tf.dispose(this.bestWeights ?? []);
    this.bestWeights = undefined;
  }
}
