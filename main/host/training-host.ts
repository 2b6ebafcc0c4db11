/**
 * The training host: one training process per run, never training in the main process. It forwards the
 * process's events (throttled), stops a run cooperatively at a batch boundary and kills it after a grace
 * period, and supervises exit: a crash or out-of-memory is reported with its reason, the run's record on
 * disk is marked, and the epochs completed before it are kept. The next run starts a fresh process.
 */
import { readFile } from 'node:fs/promises';
import { replaceFile } from '../platform/replace-file.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail, ok, type Events, type ExitReason, type Result, type RunId } from '../../common/contract.js';
import type { BackendInfo, EpochRecord, RunStatus } from '../../common/training-events.js';
import { RUN_FILES, type RunInfo } from '../runs/run-folder.js';
import { EventThrottle } from './event-throttle.js';
import { classifyExit } from './exit-reason.js';
import { nodeLauncher, type ChildHandle, type Launcher } from './launcher.js';
import {
  isProcessMessage,
  type Emit,
  type JobObserver,
  type ToolJob,
  type ToolOutput,
  type TrainingHostLike,
  type TrainingJob,
} from './protocol.js';
import { runInChild } from './tool-runner.js';
import { exitFailureCode } from '../../common/run-failures.js';

export interface TrainingHostOptions {
  emit: Emit;
  launcher?: Launcher;
  /** The training process's script; by default the compiled training-process.js beside this module. */
  entry?: string;
  /** How long a stop may take before the process is killed. */
  stopGraceMs?: number;
  batchIntervalMs?: number;
  probeTimeoutMs?: number;
  /** How long an import or a prediction may take before its process is ended (default 10 minutes). */
  toolTimeoutMs?: number;
}

interface ActiveRun {
  job: TrainingJob;
  observe: JobObserver | undefined;
  emit: Emit;
  child: ChildHandle;
  throttle: EventThrottle;
  history: EpochRecord[];
  /** Epochs done before this process started (a resume's `start` event says from which epoch it goes on). */
  epochsBefore: number;
  ended: RunStatus | null;
  stopRequested: boolean;
  killedByHost: boolean;
  killTimer: ReturnType<typeof setTimeout> | null;
  stderrTail: string;
  fatal: { code: string; message: string } | null;
}

export type ExitOutcome = Omit<Events['training:exit'], 'runId'>;

export const DEFAULT_ENTRY = fileURLToPath(new URL('./training-process.js', import.meta.url));

export class TrainingHost implements TrainingHostLike {
  private readonly runs = new Map<RunId, ActiveRun>();
  private readonly launch: Launcher;
  private readonly entry: string;
  private readonly exits = new Map<RunId, Promise<ExitOutcome>>();
  /** The process of the import or prediction in progress; at most one, beside at most one run. */
  private tool: ChildHandle | null = null;

  constructor(private readonly options: TrainingHostOptions) {
    this.launch = options.launcher ?? nodeLauncher();
    this.entry = options.entry ?? DEFAULT_ENTRY;
  }

  isActive(runId: RunId): boolean {
    return this.runs.has(runId);
  }

  activeRuns(): RunId[] {
    return [...this.runs.keys()];
  }

  /** Resolves once the job's process has exited (and, for runs, its exit was reported), with how it ended. */
  whenExited(runId: RunId): Promise<ExitOutcome | null> {
    return this.exits.get(runId) ?? Promise.resolve(null);
  }

  async start(job: TrainingJob, observe?: JobObserver): Promise<Result<{ runId: RunId }>> {
    // Native TensorFlow already uses every core: a second concurrent run would only halve both.
    const busy = this.activeRuns()[0];
    if (busy) return fail('BUSY', `run "${busy}" is still training; stop it or wait until it ends`);
    let child: ChildHandle;
    try {
      child = this.launch(this.entry);
    } catch (e) {
      return fail('INTERNAL', `cannot start the training process: ${(e as Error).message}`);
    }
    // Evaluations report through their result, not as run progress.
    const emit: Emit = job.mode === 'evaluate' ? () => {} : this.options.emit;
    const run: ActiveRun = {
      job,
      observe,
      emit,
      child,
      throttle: new EventThrottle((event) => emit('training:event', { runId: job.runId, event }), this.options.batchIntervalMs),
      history: [],
      epochsBefore: 0,
      ended: null,
      stopRequested: false,
      killedByHost: false,
      killTimer: null,
      stderrTail: '',
      fatal: null,
    };
    this.runs.set(job.runId, run);
    let exited!: (outcome: ExitOutcome) => void;
    this.exits.set(job.runId, new Promise<ExitOutcome>((resolve) => (exited = resolve)));
    child.onStderr((text) => (run.stderrTail = (run.stderrTail + text).slice(-8192)));
    child.onMessage((message) => this.onMessage(run, message));
    child.onExit((code, signal, gone) => void this.onExit(run, code, signal, gone).then(exited));
    child.postMessage({ type: 'train', job });
    return ok({ runId: job.runId });
  }

  /**
   * Imports and predictions are short and may run while a run trains (in a process of their own, so native
   * TensorFlow is never loaded twice in one process); one at a time.
   */
  async runTool(job: ToolJob): Promise<Result<ToolOutput>> {
    if (this.tool) return fail('BUSY', 'another model import or prediction is in progress; try again when it ends');
    let child: ChildHandle;
    try {
      child = this.launch(this.entry);
    } catch (e) {
      return fail('INTERNAL', `cannot start the training process: ${(e as Error).message}`);
    }
    this.tool = child;
    try {
      return await runInChild(child, job, this.options.toolTimeoutMs ?? 600_000);
    } finally {
      this.tool = null;
    }
  }

  stop(runId: RunId): boolean {
    const run = this.runs.get(runId);
    if (!run) return false;
    if (run.stopRequested) return true;
    run.stopRequested = true;
    run.child.postMessage({ type: 'stop' });
    run.killTimer = setTimeout(() => {
      run.killedByHost = true;
      run.child.kill();
    }, this.options.stopGraceMs ?? 15_000);
    return true;
  }

  /** Ends every training process at once (the app is quitting). */
  dispose(): void {
    this.tool?.kill();
    for (const run of this.runs.values()) {
      run.stopRequested = true;
      run.killedByHost = true;
      run.child.kill();
    }
  }

  probeBackend(): Promise<{ backend: BackendInfo } | { error: string }> {
    return new Promise((resolve) => {
      let child: ChildHandle;
      try {
        child = this.launch(this.entry);
      } catch (e) {
        resolve({ error: `cannot start the training process: ${(e as Error).message}` });
        return;
      }
      let stderr = '';
      const timer = setTimeout(() => {
        child.kill();
        resolve({ error: 'the training process did not report its backend in time' });
      }, this.options.probeTimeoutMs ?? 120_000);
      child.onStderr((text) => (stderr = (stderr + text).slice(-2000)));
      child.onMessage((message) => {
        if (!isProcessMessage(message)) return;
        if (message.type === 'probe') resolve({ backend: message.backend });
        if (message.type === 'probeFailed') resolve({ error: message.message });
      });
      child.onExit((code) => {
        clearTimeout(timer);
        resolve({ error: `the training process exited (code ${code}) before reporting its backend: ${stderr.trim().slice(-500)}` });
      });
      child.postMessage({ type: 'probe' });
    });
  }

  private onMessage(run: ActiveRun, message: unknown): void {
    if (!isProcessMessage(message)) return;
    switch (message.type) {
      case 'event': {
        const event = message.event;
        if (event.type === 'epochEnd') run.history.push(event.record);
        if (event.type === 'start') run.epochsBefore = event.initialEpoch - 1;
        if (event.type === 'end') run.ended = event.status;
        run.observe?.(event);
        run.throttle.push(event);
        // run.json exists from the start event on: lists refreshed now show the run.
        if (event.type === 'start') run.emit('runs:changed', { runId: run.job.runId, change: 'updated' });
        return;
      }
      case 'fatal':
        run.fatal = { code: message.code, message: message.message };
        return;
      case 'probe':
      case 'probeFailed':
      case 'toolResult':
      case 'toolFailed':
        return;
      default:
        throw new Error(`Unsupported message ${(message as { type: string }).type}`);
    }
  }

  private async onExit(run: ActiveRun, code: number | null, signal: string | null, gone: string | null): Promise<ExitOutcome> {
    if (run.killTimer) clearTimeout(run.killTimer);
    run.throttle.flush();
    run.throttle.dispose();
    this.runs.delete(run.job.runId);
    const outcome = classifyExit({
      code,
      signal,
      gone,
      ended: run.ended,
      stopRequested: run.stopRequested,
      killedByHost: run.killedByHost,
      stderrTail: run.stderrTail,
      fatal: run.fatal,
      epochsDone: run.epochsBefore + run.history.length,
    });
    if (outcome.reason !== 'ended' && run.job.mode !== 'evaluate') {
      await markRunEnded(run.job.dir, outcome.status, outcome.reason, outcome.message).catch(() => undefined);
    }
    run.emit('training:exit', { runId: run.job.runId, ...outcome });
    run.emit('runs:changed', { runId: run.job.runId, change: 'updated' });
    return outcome;
  }
}

/** Records in run.json how a run ended when its process could not: epochs.jsonl already holds its history. */
export async function markRunEnded(dir: string, status: string, reason: Exclude<ExitReason, 'ended'>, message: string): Promise<void> {
  const file = path.join(dir, RUN_FILES.info);
  let info: RunInfo;
  try {
    info = JSON.parse(await readFile(file, 'utf8')) as RunInfo;
  } catch {
    return; // the process died before creating the run folder: there is nothing on disk to mark
  }
  if (info.status !== 'running') return;
  const code = exitFailureCode(reason);
  const next: RunInfo = {
    ...info,
    status: status === 'stopped' ? 'stopped' : 'failed',
    finishedAt: new Date().toISOString(),
    error: { code, message },
  };
  await replaceFile(file, JSON.stringify(next, null, 2) + '\n');
}
