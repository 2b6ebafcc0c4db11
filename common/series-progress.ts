/**
 * How far a series is, and how long the rest should take: epochs left over the whole plan times the measured
 * time per epoch (the mean of the epochs this session trained, from each epoch record's own duration).
 * Pure, fed by the service as runs start, epochs end and runs end; the app shows its snapshot.
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

  /** `plannedEpochs[i]`: the epochs run i of the plan trains. */
  constructor(private readonly plannedEpochs: number[]) {
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

  epochEnded(index: number, durationMs: number): void {
    this.left[index] = Math.max(0, this.left[index] - 1);
    if (Number.isFinite(durationMs) && durationMs >= 0) {
      this.measuredMs += durationMs;
      this.measuredEpochs++;
    }
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
