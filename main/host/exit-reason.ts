/** Why a training process went away, in words a user can act on. */
import type { Events, ExitReason, RunState } from '../../common/contract.js';
import type { RunStatus } from '../../common/training-events.js';
import { failureKind, isOutOfMemoryText } from '../../common/run-failures.js';

export interface ExitFacts {
  code: number | null;
  signal: string | null;
  /** Electron's `child-process-gone` reason ('oom', 'killed', 'crashed', …); null outside Electron. */
  gone: string | null;
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
    const memory = failureKind(f.fatal.code) === 'memory';
    return { ...base, reason: memory ? 'oom' : 'crashed', status: memory ? 'crashed' : 'failed', message: f.fatal.message };
  }
  if (f.gone === 'oom' || isOutOfMemoryText(f.stderrTail)) {
    return {
      ...base,
      reason: 'oom',
      status: 'crashed',
      message: `the training process ran out of memory${after}; try a smaller batch size or model. Completed epochs are kept.`,
    };
  }
  if ((f.signal === 'SIGKILL' || f.gone === 'killed') && !f.stopRequested) {
    return {
      ...base,
      reason: 'oom',
      status: 'crashed',
      message: `the training process was killed${f.signal ? ` (${f.signal})` : ''}${after}, most often by the system when memory runs out, else by another program; if memory, try a smaller batch size or model. Completed epochs are kept and the run can be resumed.`,
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
