/**
 * Forwards training events to the UI at a rate it can take: every event except batch progress at once,
 * batch progress at most once per interval (the latest one wins). A pending batch event is flushed before the
 * next non-batch event so the UI always sees an epoch's last progress before its end.
 */
import type { TrainingEvent } from '../../common/training-events.js';

export const BATCH_FORWARD_INTERVAL_MS = 200;

export class EventThrottle {
  private lastBatchAt = -Infinity;
  private pending: TrainingEvent | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly forward: (event: TrainingEvent) => void,
    private readonly intervalMs = BATCH_FORWARD_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  push(event: TrainingEvent): void {
    if (event.type !== 'batch') {
      this.flush();
      this.forward(event);
      return;
    }
    const wait = this.lastBatchAt + this.intervalMs - this.now();
    if (wait <= 0) {
      this.clearTimer();
      this.pending = null;
      this.send(event);
      return;
    }
    this.pending = event;
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
  }

  flush(): void {
    this.clearTimer();
    const pending = this.pending;
    this.pending = null;
    if (pending) this.send(pending);
  }

  dispose(): void {
    this.clearTimer();
    this.pending = null;
  }

  private send(event: TrainingEvent): void {
    this.lastBatchAt = this.now();
    this.forward(event);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
