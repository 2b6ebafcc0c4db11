/**
 * The one vocabulary of run failures: the codes a run can fail with (run.json's `error.code`, the `end`
 * event's error, the failure card), what kind of failure each is, and the advice the UI gives for it. The
 * engine, the training process and the host write these codes; the run listing and the renderer read them.
 */

export type FailureKind =
  /** The loss became NaN or grew without bound. */
  | 'diverged'
  /** Memory ran out, inside the training process or killing it. */
  | 'memory'
  /** The training process died without recording how the run ended. */
  | 'crash'
  /** Stop was asked and the process did not reach a batch boundary in time; the host ended it. */
  | 'killed'
  /** The model cannot be built or its starting weights do not fit it. */
  | 'model'
  | 'dataset'
  /** Reading or writing the run folder failed (a full disk, a damaged checkpoint, an errno). */
  | 'disk'
  /** A training setting cannot be honoured (e.g. a monitored metric that does not exist). */
  | 'settings'
  | 'other';

interface FailureCodeInfo {
  kind: FailureKind;
  /** The training process died: the run store shows the run as crashed, not failed. */
  processDied?: true;
}

export const RUN_FAILURE_CODES = {
  NAN_LOSS: { kind: 'diverged' },
  LOSS_DIVERGED: { kind: 'diverged' },
  /** An allocation failed inside the training process, which reported it. */
  OUT_OF_MEMORY: { kind: 'memory' },
  /** The training process died of memory (heap limit, or SIGKILL, most often the system's OOM killer). */
  PROCESS_OOM: { kind: 'memory', processDied: true },
  PROCESS_CRASHED: { kind: 'crash', processDied: true },
  PROCESS_KILLED: { kind: 'killed' },
  INVALID_MODEL: { kind: 'model' },
  INIT_WEIGHTS_MISMATCH: { kind: 'model' },
  INIT_WEIGHTS_UNREADABLE: { kind: 'model' },
  DATASET_ERROR: { kind: 'dataset' },
  DATASET_CHANGED: { kind: 'dataset' },
  /** The dataset's images are not the size and channels the model takes. */
  SHAPE_MISMATCH: { kind: 'dataset' },
  CHECKPOINT_DAMAGED: { kind: 'disk' },
  IO_ERROR: { kind: 'disk' },
  EPOCH_LOG_FAILED: { kind: 'disk' },
  SAVE_FAILED: { kind: 'disk' },
  LOAD_FAILED: { kind: 'disk' },
  /** The run folder's run.json cannot be read (the listing shows such a run as failed). */
  UNREADABLE: { kind: 'disk' },
  MONITOR_UNAVAILABLE: { kind: 'settings' },
  /** The batch is larger than the training set. */
  BATCH_TOO_LARGE: { kind: 'settings' },
  TRAINING_FAILED: { kind: 'other' },
} as const satisfies Record<string, FailureCodeInfo>;

/** A file-system error keeps its errno as its code (ENOSPC, EIO, EACCES ...), so the message can name it. */
export type ErrnoCode = `E${Uppercase<string>}`;
export type RunFailureCode = keyof typeof RUN_FAILURE_CODES | ErrnoCode;

const ERRNO = /^E[A-Z0-9]+$/;

/** How a run failed, as run.json and the `end` event record it. */
export interface RunFailureRecord {
  code: RunFailureCode;
  /** Plain language, naming the layer, setting or file at fault. */
  message: string;
}

export function isRunFailureCode(code: string): code is RunFailureCode {
  return Object.hasOwn(RUN_FAILURE_CODES, code) || ERRNO.test(code);
}

/** The kind of any code read from disk or an event; codes this version does not know are 'other'. */
export function failureKind(code: string): FailureKind {
  if (Object.hasOwn(RUN_FAILURE_CODES, code)) return RUN_FAILURE_CODES[code as keyof typeof RUN_FAILURE_CODES].kind;
  return ERRNO.test(code) ? 'disk' : 'other';
}

/** True when the code says the training process died (the run is listed as crashed). */
export function processDied(code: string): boolean {
  return Object.hasOwn(RUN_FAILURE_CODES, code) && 'processDied' in RUN_FAILURE_CODES[code as keyof typeof RUN_FAILURE_CODES];
}

/** The code the host records when a training process went away without recording an end. */
export function exitFailureCode(reason: 'oom' | 'killed' | 'crashed'): RunFailureCode {
  return reason === 'oom' ? 'PROCESS_OOM' : reason === 'killed' ? 'PROCESS_KILLED' : 'PROCESS_CRASHED';
}

/**
 * Whether an error message or a process's last stderr says memory ran out: V8's heap limit, a failed
 * ArrayBuffer or array allocation, TensorFlow's and the C++ runtime's allocation failures.
 */
const OUT_OF_MEMORY_TEXT =
  /JavaScript heap out of memory|Reached heap limit|allocation failed|out of memory|\bOOM\b|std::bad_alloc|Invalid array length/i;

export function isOutOfMemoryText(text: string): boolean {
  return OUT_OF_MEMORY_TEXT.test(text);
}

// What was kept is not said here: the failure card counts the completed epochs itself, so the two never disagree.
const ADVICE: Record<FailureKind, string> = {
  diverged:
    'The loss diverged (it grew without bound or became NaN). Lower the learning rate (try 10× smaller), add BatchNormalization, or check the data.',
  memory:
    'Training ran out of memory. Lower the batch size, use fewer filters or units, or add pooling before Flatten, and start a new run; or Resume continues the run from the last completed epoch with the same settings.',
  crash:
    'The training process stopped unexpectedly. Resume continues the run from the last completed epoch. If it repeats, lower the batch size.',
  killed: 'The run did not stop in time and was ended. Resume continues from the last completed epoch.',
  model: 'The model cannot be trained as it is. Fix the layer named in the message and start again.',
  dataset: 'The dataset could not be read. Check the files named in the message, or import the dataset again.',
  disk: 'The run folder could not be written or read (the message names the file). Free disk space or check permissions.',
  settings: 'A training setting cannot be used with this run. Check the setting named in the message and start again.',
  other: 'Check the settings named in the message and start again.',
};

/**
 * Whether resuming a run that failed with this code would fail the same way: the run's own model or
 * settings caused it, and a resume keeps both; a divergence too, since a resume replays the same seeded
 * batches from the last checkpoint.
 */
export function repeatsOnResume(code: string): boolean {
  const kind = failureKind(code);
  return kind === 'settings' || kind === 'model' || kind === 'diverged' || code === 'SHAPE_MISMATCH';
}

/** What a person can do about a failure with this code. */
export function adviceFor(code: string): string {
  return ADVICE[failureKind(code)];
}
