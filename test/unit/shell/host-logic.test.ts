/** The host's pure decisions: how often batch progress is forwarded, and how an exit is explained. */
import { describe, expect, it, vi } from 'vitest';
import type { TrainingEvent } from '../../../common/training-events.js';
import { EventThrottle } from '../../../main/host/event-throttle.js';
import { classifyExit, type ExitFacts } from '../../../main/host/exit-reason.js';

const batch = (n: number): TrainingEvent => ({
  type: 'batch',
  epoch: 1,
  batch: n,
  batches: 100,
  samplesSeen: n,
  samplesTotal: 100,
  loss: 1,
  accuracy: 0,
  batchLoss: 1,
  elapsedMs: n,
  samplesPerSec: 1,
});

describe('EventThrottle', () => {
  it('passes epoch events at once, batches at most once per interval, and flushes the latest batch first', () => {
    vi.useFakeTimers();
    try {
      const out: TrainingEvent[] = [];
      let now = 0;
      const throttle = new EventThrottle(
        (e) => out.push(e),
        200,
        () => now,
      );
      for (let i = 1; i <= 50; i++) {
        throttle.push(batch(i));
        now += 10; // 50 batches in 500 ms
      }
      throttle.push({ type: 'epochEnd', record: { epoch: 1, loss: 1, accuracy: 0, durationMs: 500, samples: 100 }, epochs: 1 });
      const batches = out.filter((e) => e.type === 'batch');
      expect(batches.length).toBeLessThanOrEqual(4);
      expect(batches.at(-1)).toMatchObject({ batch: 50 });
      expect(out.at(-1)?.type).toBe('epochEnd');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('classifyExit', () => {
  const facts = (f: Partial<ExitFacts>): ExitFacts => ({
    code: 0,
    signal: null,
    gone: null,
    ended: null,
    stopRequested: false,
    killedByHost: false,
    stderrTail: '',
    fatal: null,
    epochsDone: 2,
    ...f,
  });

  it('explains each way a process can go', () => {
    expect(classifyExit(facts({ ended: 'finished' }))).toMatchObject({ reason: 'ended', status: 'finished' });
    expect(classifyExit(facts({ ended: 'failed' }))).toMatchObject({ reason: 'ended', status: 'failed' });
    expect(classifyExit(facts({ killedByHost: true, stopRequested: true, signal: 'SIGKILL' }))).toMatchObject({
      reason: 'killed',
      status: 'stopped',
    });
    expect(
      classifyExit(facts({ code: 134, stderrTail: 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory' })),
    ).toMatchObject({
      reason: 'oom',
      status: 'crashed',
    });
    expect(classifyExit(facts({ code: null, signal: 'SIGKILL' })).message).toMatch(
      /killed \(SIGKILL\) after epoch 2, most often by the system when memory runs out/,
    );
    expect(classifyExit(facts({ code: 1, fatal: { code: 'DATASET_ERROR', message: 'cifar: truncated file x.bin' } }))).toMatchObject({
      reason: 'crashed',
      status: 'failed',
      message: 'cifar: truncated file x.bin',
    });
    // Under Electron the exit has no signal; the cause comes from `child-process-gone`.
    expect(classifyExit(facts({ code: 1, gone: 'oom' }))).toMatchObject({ reason: 'oom', status: 'crashed' });
    expect(classifyExit(facts({ code: 1, gone: 'killed' })).message).toMatch(/was killed after epoch 2, most often/);
    expect(classifyExit(facts({ code: 1, gone: 'crashed' }))).toMatchObject({ reason: 'crashed' });
    expect(classifyExit(facts({ code: null, signal: 'SIGSEGV', epochsDone: 0 })).message).toMatch(
      /signal SIGSEGV before the first epoch ended/,
    );
  });
});
