/**
 * How far a series is, and how long the rest should take: epochs left over the whole plan times the measured
 * time per epoch, i.e. the time since this session began divided by the epochs it trained, so each run's
 * start (a training process, the dataset) is part of the estimate. Pure (the clock is passed in), fed by the
 * service as runs start, epochs end and runs end; the app shows its snapshot.
 */
export interface SeriesEta {
  epochsDone: number;
  epochsTotal: number;
  /** Null until an epoch of this session has ended. */
  msPerEpoch: number | null;
  /** Epochs left times msPerEpoch; null while msPerEpoch is unknown. */
  etaMs: number | null;
}

export class SeriesProgressTracker {
  private readonly left: number[];
  private measuredMs = 0;
  private measuredEpochs = 0;

  /** `plannedEpochs[i]`: the epochs run i of the plan trains; `startedAt`: when this session began (ms). */
  constructor(
    private readonly plannedEpochs: number[],
    private readonly startedAt: number,
  ) {
    this.left = [...plannedEpochs];
  }

  /** Run i is kept from before (finished or failed earlier): nothing of it is left. */
  skipped(index: number): void {
    this.left[index] = 0;
  }

  /** Run i starts (initialEpoch 1) or resumes (initialEpoch k: k-1 epochs were done before). */
  started(index: number, initialEpoch: number): void {
    this.left[index] = Math.max(0, this.plannedEpochs[index] - (initialEpoch - 1));
  }

  /** An epoch of run i ended at `now` (ms, the same clock as startedAt). */
  epochEnded(index: number, now: number): void {
    this.left[index] = Math.max(0, this.left[index] - 1);
    this.measuredEpochs++;
    this.measuredMs = Math.max(0, now - this.startedAt);
  }

  /** Run i ended (finished, stopped early, failed): a stop leaves its epochs to a resume. */
  ended(index: number, status: 'finished' | 'stopped' | 'failed'): void {
    if (status !== 'stopped') this.left[index] = 0;
  }

  snapshot(): SeriesEta {
    const epochsTotal = this.plannedEpochs.reduce((a, b) => a + b, 0);
    const left = this.left.reduce((a, b) => a + b, 0);
    const msPerEpoch = this.measuredEpochs > 0 ? this.measuredMs / this.measuredEpochs : null;
    return { epochsDone: epochsTotal - left, epochsTotal, msPerEpoch, etaMs: msPerEpoch === null ? null : left * msPerEpoch };
  }
}
