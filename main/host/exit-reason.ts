/** Why a training process went away, in words a user can act on. */
import type { Events, ExitReason, RunState } from '../../common/contract.js';
import type { RunStatus } from '../../common/training-events.js';

export interface ExitFacts {
  code: number | null;
  signal: string | null;
  /** The status of the run's `end` event, when the process reported one. */
  ended: RunStatus | null;
  stopRequested: boolean;
  /** True when the host killed it after the stop grace period. */
  killedByHost: boolean;
  /** The last few kilobytes the process wrote to stderr. */
  stderrTail: string;
  /** A `fatal` message the process sent before exiting. */
  fatal: { code: string; message: string } | null;
  epochsDone: number;
}

const HEAP_OOM = /JavaScript heap out of memory|Reached heap limit|Allocation failed|out of memory|std::bad_alloc/i;

export function classifyExit(f: ExitFacts): Omit<Events['training:exit'], 'runId'> {
  const base = { code: f.code, signal: f.signal, epochsDone: f.epochsDone };
  const after = f.epochsDone > 0 ? ` after epoch ${f.epochsDone}` : ' before the first epoch ended';
  if (f.ended) {
    return { ...base, reason: 'ended' as ExitReason, status: f.ended as RunState, message: `the run ${f.ended}` };
  }
  if (f.killedByHost) {
    return {
      ...base,
      reason: 'killed',
      status: 'stopped',
      message: `the training process did not stop at a batch boundary in time and was ended${after}`,
    };
  }
  if (f.fatal) {
    const status: RunState = f.fatal.code === 'OUT_OF_MEMORY' ? 'crashed' : 'failed';
    return { ...base, reason: f.fatal.code === 'OUT_OF_MEMORY' ? 'oom' : 'crashed', status, message: f.fatal.message };
  }
  if (HEAP_OOM.test(f.stderrTail)) {
    return {
      ...base,
      reason: 'oom',
      status: 'crashed',
      message: `the training process ran out of memory${after}; try a smaller batch size or model. Completed epochs are kept.`,
    };
  }
  if (f.signal === 'SIGKILL' && !f.stopRequested) {
    return {
      ...base,
      reason: 'oom',
      status: 'crashed',
      message: `the training process was killed (SIGKILL)${after}, most often by the system when memory runs out, else by another program; if memory, try a smaller batch size or model. Completed epochs are kept and the run can be resumed.`,
    };
  }
  const how = f.signal ? `was ended by signal ${f.signal}` : `exited with code ${f.code}`;
  return {
    ...base,
    reason: 'crashed',
    status: 'crashed',
    message: `the training process ${how}${after} without finishing the run. Completed epochs are kept.`,
  };
}
