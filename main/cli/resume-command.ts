/**
 * `layerbench resume <run folder>`: continues an interrupted, stopped or failed run from its last completed
 * epoch. Also home to what `train` and `resume` share: the terminal, Ctrl-C, and turning an outcome into
 * an exit code.
 */
import { formatMetric } from '../../common/keras-log.js';
import { loadBackend } from '../backend/index.js';
import { DatasetError } from '../data/dataset.js';
import type { EngineBackend } from '../engine/tf-types.js';
import { resumeRun } from '../runs/resume-run.js';
import { RunError, type RunContext, type RunOutcome } from '../runs/run-training.js';
import { CliError, EXIT } from './exit-codes.js';
import { kerasPrinter } from '../../common/keras-printer.js';
import { terminalSink } from './progress.js';

export async function engineBackend(): Promise<EngineBackend> {
  const b = await loadBackend();
  return {
    tf: b.tf as EngineBackend['tf'],
    name: b.name,
    native: b.native,
    detail: b.detail,
    ...(b.warning ? { warning: b.warning } : {}),
  };
}

/** Runs `work` with Keras-style terminal output; the first Ctrl-C stops at the next batch, the second quits. */
export async function withTerminal(backend: EngineBackend, work: (ctx: RunContext) => Promise<RunOutcome>): Promise<number> {
  const sink = terminalSink(process.stdout);
  const stop = new AbortController();
  const onSigint = () => {
    if (stop.signal.aborted) process.exit(EXIT.stopped);
    sink.line('Stopping at the end of this batch (Ctrl-C again to quit at once)...');
    stop.abort();
  };
  process.on('SIGINT', onSigint);
  let outcome: RunOutcome;
  try {
    outcome = await work({ backend, onEvent: kerasPrinter(sink), signal: stop.signal, evaluateAfter: true });
  } catch (e) {
    if (e instanceof RunError)
      throw new CliError(
        e.message,
        e.code === 'DATASET_CHANGED' ? EXIT.dataset : e.code === 'IO_ERROR' || /^E[A-Z]+$/.test(e.code) ? EXIT.io : EXIT.usage,
      );
    if (e instanceof DatasetError) throw new CliError(`dataset error: ${e.message}`, EXIT.dataset);
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (outcome.modelSaved) sink.line(`Saved model to ${outcome.dir}/model`);
  if (outcome.modelNote) sink.line(`Note: ${outcome.modelNote}`);
  for (const w of outcome.warnings) if (w !== outcome.recordError) sink.line(`Warning: ${w}`);
  const ev = outcome.evaluation;
  if (ev) {
    sink.line(`Evaluated on ${ev.setDescription}: loss ${formatMetric(ev.loss)} - accuracy ${formatMetric(ev.accuracy)}`);
    sink.line(`Confusion matrix, per-class scores and the worst mistakes: layerbench evaluate ${outcome.dir} (saved in ${ev.dir})`);
  }
  if (outcome.recordError) {
    // Training ended but run.json still says running: the run lists as interrupted until resumed.
    process.stderr.write(
      `layerbench: the run ${outcome.status === 'finished' ? 'finished' : `ended (${outcome.status})`} but was not recorded: ${outcome.recordError}\n` +
        `Its epochs and model are on disk; once there is room, record it with: layerbench resume ${outcome.dir}\n`,
    );
    return EXIT.io;
  }
  sink.line(`Run ${outcome.status}: ${outcome.dir}`);
  if (outcome.status === 'stopped') {
    sink.line(`The history so far is kept; continue with: layerbench resume ${outcome.dir}`);
    return EXIT.stopped;
  }
  if (outcome.status === 'failed') return /^E[A-Z]+$/.test(outcome.error?.code ?? '') ? EXIT.io : EXIT.trainingFailed;
  return outcome.modelSaved ? EXIT.ok : EXIT.io;
}

export async function resumeCommand(dir: string | undefined): Promise<number> {
  if (!dir) throw new CliError('resume needs the run folder: layerbench resume runs/<run>', EXIT.usage);
  const backend = await engineBackend();
  return withTerminal(backend, (ctx) => resumeRun(ctx, { dir }));
}
