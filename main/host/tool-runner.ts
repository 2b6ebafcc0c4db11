/**
 * Runs one ToolJob (import, predict) in a training process of its own and turns whatever happens into a
 * Result: the job's answer, its failure with the contract's code, or why the process went away without one.
 */
import { fail, ok, type Result } from '../../common/contract.js';
import type { ToolJob, ToolOutput } from './protocol.js';
import type { ChildHandle } from './launcher.js';
import { isProcessMessage } from './protocol.js';
import { isOutOfMemoryText } from '../../common/run-failures.js';

export interface ToolExit {
  code: number | null;
  signal: string | null;
  /** Electron's `child-process-gone` reason, null outside Electron. */
  gone: string | null;
  stderrTail: string;
  timedOut: boolean;
}

export function describeToolExit(job: ToolJob, { code, signal, gone, stderrTail, timedOut }: ToolExit): string {
  const what = job.mode === 'import' ? 'importing the model' : 'classifying the images';
  if (timedOut) return `${what} took too long and was ended`;
  if (gone === 'oom' || isOutOfMemoryText(stderrTail) || signal === 'SIGKILL' || gone === 'killed') return `${what} ran out of memory`;
  const how = signal ? `was ended by signal ${signal}` : `exited with code ${code}`;
  const last = stderrTail.trim().split('\n').at(-1)?.slice(0, 500);
  return `the process ${what} ${how} without an answer${last ? `: ${last}` : ''}`;
}

/** Sends the job to `child` and resolves once the process has exited. */
export function runInChild(child: ChildHandle, job: ToolJob, timeoutMs: number): Promise<Result<ToolOutput>> {
  return new Promise((resolve) => {
    let answer: Result<ToolOutput> | null = null;
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill();
    }, timeoutMs);
    child.onStderr((text) => (stderr = (stderr + text).slice(-4096)));
    child.onMessage((message) => {
      if (!isProcessMessage(message)) return;
      if (message.type === 'toolResult') answer = ok(message.output);
      else if (message.type === 'toolFailed') answer = fail(message.code, message.message);
    });
    child.onExit((code, signal, gone) => {
      clearTimeout(timer);
      resolve(answer ?? fail('INTERNAL', describeToolExit(job, { code, signal, gone, stderrTail: stderr, timedOut })));
    });
    child.postMessage({ type: 'tool', job });
  });
}
