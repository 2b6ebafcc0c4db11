/**
 * The training process: started by the training host for one job (train a new run, resume one, evaluate a
 * run's model, import a model or classify images (tool-jobs.ts), or probe the backend), in its own OS
 * process so native TensorFlow never shares a process with the UI or with another run. Training goes through
 * the run store's shared path (main/runs), the same one the CLI uses: run.json, an epoch line per epoch,
 * checkpoints, the text log, the final model and its evaluation. Every event is reported to the host.
 */
import type { TrainingEvent } from '../../common/training-events.js';
import { loadBackend } from '../backend/index.js';
import { DatasetError } from '../data/dataset.js';
import { loadDataset } from '../data/registry.js';
import type { EngineBackend } from '../engine/tf-types.js';
import { evaluateRun } from '../runs/evaluate-run.js';
import { resumeRun } from '../runs/resume-run.js';
import { RunError } from '../runs/run-error.js';
import { startRun, type RunContext } from '../runs/run-training.js';
import type { HostMessage, ProcessMessage, ToolJob, TrainingJob } from './protocol.js';
import { runToolJob, ToolFailure } from './tool-jobs.js';
import { isOutOfMemoryText } from '../../common/run-failures.js';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

// Electron's utilityProcess gives `process.parentPort`; child_process.fork gives `process.send`.
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(message: ProcessMessage): void {
  if (parentPort) parentPort.postMessage(message);
  else process.send?.(message);
}

function onMessage(listener: (message: HostMessage) => void): void {
  if (parentPort) parentPort.on('message', (e) => listener(e.data as HostMessage));
  else process.on('message', (m) => listener(m as HostMessage));
}

const stop = new AbortController();

async function backend(): Promise<EngineBackend> {
  const b = await loadBackend();
  return { tf: b.tf, name: b.name, native: b.native, detail: b.detail, ...(b.warning ? { warning: b.warning } : {}) };
}

async function probe(): Promise<void> {
  try {
    const { tf: _tf, ...info } = await backend();
    send({ type: 'probe', backend: info });
  } catch (e) {
    send({ type: 'probeFailed', message: (e as Error).message });
  }
}

async function run(job: TrainingJob): Promise<void> {
  const engine = await backend();
  if (job.mode === 'evaluate') {
    await evaluateRun(engine, {
      dir: job.dir,
      ...(job.evaluateModel ? { model: job.evaluateModel } : {}),
      ...(job.evaluateOn ? { dataset: job.evaluateOn } : {}),
    });
    return;
  }
  // The end event is held back until the model is saved and run.json is final, so a UI that refreshes on it
  // reads the finished run.
  let end: TrainingEvent | null = null;
  const ctx: RunContext = {
    backend: engine,
    signal: stop.signal,
    batchEventIntervalMs: 200,
    evaluateAfter: true,
    onEvent: (event) => {
      if (event.type === 'end') end = event;
      else send({ type: 'event', event });
    },
  };
  const outcome =
    job.mode === 'resume'
      ? await resumeRun(ctx, { dir: job.dir })
      : await startRun(ctx, {
          dir: job.dir,
          experiment: job.experiment,
          dataset: await loadDataset(job.datasetId),
          name: job.name,
          ...(job.preset ? { preset: job.preset } : {}),
          ...(job.initialWeights ? { initialWeights: job.initialWeights } : {}),
          ...(job.series ? { series: job.series } : {}),
        });
  for (const warning of outcome.warnings) send({ type: 'event', event: { type: 'log', level: 'warn', message: warning } });
  if (outcome.modelNote) send({ type: 'event', event: { type: 'log', level: 'warn', message: outcome.modelNote } });
  const final: TrainingEvent = end ?? { type: 'end', status: outcome.status, history: outcome.history, durationMs: 0 };
  send({
    type: 'event',
    event: final.type === 'end' ? { ...final, status: outcome.status, ...(outcome.error ? { error: outcome.error } : {}) } : final,
  });
}

async function tool(job: ToolJob): Promise<void> {
  try {
    send({ type: 'toolResult', output: await runToolJob(await backend(), job) });
  } catch (e) {
    const code = e instanceof ToolFailure ? e.code : 'INTERNAL';
    send({ type: 'toolFailed', code, message: (e as Error).message ?? String(e) });
  }
}

function failureCode(e: unknown): string {
  if (e instanceof DatasetError) return 'DATASET_ERROR';
  if (e instanceof RunError) return e.code;
  return isOutOfMemoryText(String(e)) ? 'OUT_OF_MEMORY' : 'TRAINING_FAILED';
}

function exitSoon(code: number): void {
  // Give the IPC channel a moment to deliver the last message before the process goes.
  setTimeout(() => process.exit(code), 50);
}

onMessage((message) => {
  switch (message.type) {
    case 'probe':
      void probe().finally(() => exitSoon(0));
      return;
    case 'train':
      void run(message.job).then(
        () => exitSoon(0),
        (e: unknown) => {
          send({ type: 'fatal', code: failureCode(e), message: (e as Error).message ?? String(e) });
          exitSoon(1);
        },
      );
      return;
    case 'tool':
      void tool(message.job).finally(() => exitSoon(0));
      return;
    case 'stop':
      stop.abort();
      return;
    default:
      throw new Error(`Unsupported message ${(message as { type: string }).type}`);
  }
});
