/**
 * The run in progress (or the last one), built from the training events as they arrive. Arrays are replaced,
 * never mutated, so charts receive plain arrays and Svelte only re-renders what a new event changed.
 */
import { batchLine, epochHeader, epochLine, trainOnLine } from '../../../common/keras-log.js';
import { adviceFor } from '../../../common/run-failures.js';
import { fmtClock } from './format.js';
import type { BackendInfo, EpochRecord, RunStatus, TrainingEvent } from '../../../common/training-events.js';

export interface BatchProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  samplesSeen: number;
  samplesTotal: number;
  samplesPerSec: number;
  etaSeconds: number;
  loss: number;
  accuracy: number;
}

export interface RunFailure {
  code: string;
  message: string;
  /** What the person can do about it. */
  advice: string;
}

export class LiveRun {
  runId = $state<string | null>(null);
  name = $state('');
  status = $state<RunStatus | 'starting' | 'running' | 'idle'>('idle');
  backend = $state.raw<BackendInfo | null>(null);
  epochs = $state.raw<EpochRecord[]>([]);
  /** Per-batch loss as [global batch index, loss] pairs. */
  batchLoss = $state.raw<{ x: number; y: number }[]>([]);
  /** Finished log lines; the in-progress batch line is kept apart so it can be rewritten in place. */
  logLines = $state.raw<string[]>([]);
  currentLine = $state('');
  progress = $state.raw<BatchProgress | null>(null);
  failure = $state.raw<RunFailure | null>(null);
  warnings = $state.raw<string[]>([]);
  startedAt = $state(0);
  durationMs = $state(0);
  batchesPerEpoch = $state(0);
  totalEpochs = $state(0);
  /** This run continues an earlier one (Resume): its history so far was loaded from the run folder. */
  continuing = $state(false);

  active = $derived(this.status === 'starting' || this.status === 'running');

  begin(name: string): void {
    this.runId = null;
    this.continuing = false;
    this.name = name;
    this.status = 'starting';
    this.epochs = [];
    this.batchLoss = [];
    this.logLines = [];
    this.currentLine = '';
    this.progress = null;
    this.failure = null;
    this.warnings = [];
    this.startedAt = performance.now();
    this.durationMs = 0;
  }

  /** The request itself failed before any event (bad settings, no backend): nothing ran. */
  rejected(code: string, message: string): void {
    this.status = 'failed';
    this.failure = { code, message, advice: adviceFor(code) };
  }

  handle(event: TrainingEvent): void {
    switch (event.type) {
      case 'start':
        this.status = 'running';
        this.backend = event.backend;
        this.batchesPerEpoch = event.batchesPerEpoch;
        this.totalEpochs = event.epochs;
        if (this.continuing || event.initialEpoch > 1) {
          // A resumed run: epochs after its checkpoint (logged but not checkpointed before a crash) are redone.
          const done = event.initialEpoch - 1;
          this.epochs = this.epochs.filter((e) => e.epoch <= done);
          this.batchLoss = this.batchLoss.filter((p) => p.x <= done * event.batchesPerEpoch);
          // A divider only: the training process logs from which epoch and with what it resumed.
          this.logLines = [...this.logLines, `── resumed at ${fmtClock(Date.now())} ──`];
        }
        this.logLines = [...this.logLines, trainOnLine(event.trainCount, event.validationCount)];
        break;
      case 'epochStart':
        this.logLines = [...this.logLines, epochHeader(event.epoch, event.epochs)];
        this.currentLine = '';
        break;
      case 'batch': {
        // A run picked up after a reload never saw its 'start' event.
        if (!this.batchesPerEpoch) this.batchesPerEpoch = event.batches;
        const remaining = event.samplesTotal - event.samplesSeen;
        const eta = event.samplesPerSec > 0 ? remaining / event.samplesPerSec : 0;
        this.progress = {
          epoch: event.epoch,
          epochs: this.totalEpochs,
          batch: event.batch,
          batches: event.batches,
          samplesSeen: event.samplesSeen,
          samplesTotal: event.samplesTotal,
          samplesPerSec: event.samplesPerSec,
          etaSeconds: eta,
          loss: event.loss,
          accuracy: event.accuracy,
        };
        this.currentLine = batchLine(event.batch, event.batches, eta, { loss: event.loss, accuracy: event.accuracy });
        const x = (event.epoch - 1) * event.batches + event.batch;
        this.batchLoss = [...this.batchLoss, { x, y: event.batchLoss }];
        break;
      }
      case 'epochEnd':
        this.epochs = [...this.epochs, event.record];
        this.logLines = [...this.logLines, epochLine(event.record)];
        this.currentLine = '';
        break;
      case 'log':
        if (event.level === 'warn') this.warnings = [...this.warnings, event.message];
        this.logLines = [...this.logLines, event.level === 'warn' ? `Warning: ${event.message}` : event.message];
        break;
      case 'end':
        this.status = event.status;
        this.durationMs = event.durationMs;
        if (event.history.length > this.epochs.length) this.epochs = event.history;
        this.currentLine = '';
        if (event.error) {
          this.failure = { ...event.error, advice: adviceFor(event.error.code) };
          this.logLines = [...this.logLines, `Error: ${event.error.message}`];
        } else if (event.status === 'stopped') {
          this.logLines = [...this.logLines, `Stopped after ${event.history.length} epoch${event.history.length === 1 ? '' : 's'}.`];
        }
        break;
      default: {
        const never: never = event;
        throw new Error(`Unsupported message ${JSON.stringify(never)}`);
      }
    }
  }

  /** Continues a stopped or interrupted run in this panel: its history and log so far, then the resumed run's events. */
  continueRun(
    runId: string,
    name: string,
    totalEpochs: number,
    history: EpochRecord[],
    logTail: string[],
    backend: BackendInfo | null,
  ): void {
    this.begin(name);
    this.runId = runId;
    this.continuing = true;
    this.totalEpochs = totalEpochs;
    this.resume(history, logTail, backend);
  }

  /** Picks up a run already in progress (the page was reloaded): what it logged so far, then live events. */
  resume(history: EpochRecord[], logTail: string[], backend: BackendInfo | null): void {
    this.epochs = history;
    this.logLines = logTail;
    if (backend) this.backend = backend;
  }

  /** The log as the CLI prints it, for copying and export. */
  get logText(): string {
    return [...this.logLines, ...(this.currentLine ? [this.currentLine] : [])].join('\n');
  }
}
