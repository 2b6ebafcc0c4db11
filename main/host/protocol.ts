/**
 * The training host's protocol: the jobs the service hands it (train, resume, evaluate; import, predict),
 * the host's interface, and the messages between the host (in main) and a training process. A discriminated
 * union on each side, handled with exhaustive switches; anything else is refused as unsupported.
 */
import type { ErrorCode, EvaluationModel, EventName, Events, Prediction, Result, RunId } from '../../common/contract.js';
import type { ExperimentSpec } from '../../common/spec.js';
import type { BackendInfo, TrainingEvent } from '../../common/training-events.js';

/** A job as the host hands it to a training process: train a new run, resume one, or evaluate its model. */
export interface TrainingJob {
  mode: 'start' | 'resume' | 'evaluate';
  /** For `evaluate`: which of the run's models (default final). */
  evaluateModel?: EvaluationModel;
  /**
   * For `evaluate` of a folder that is not a run (an imported model's; `dir` is that folder and `runId` its
   * import id): the dataset to evaluate it on.
   */
  evaluateOn?: string;
  runId: RunId;
  /** The run folder, created by the training process. */
  dir: string;
  name: string;
  experiment: ExperimentSpec;
  datasetId: string;
  preset?: string;
  /** Where the app keeps imported-dataset caches, so the training process loads the same data. */
  dataDir: string;
  /** `start` only: begin from the weights in this model folder (an imported model's) instead of fresh ones. */
  initialWeights?: { dir: string; importId: string; source?: string };
  /** `start` only: the run belongs to this experiment series (recorded in run.json). */
  series?: { dir: string; key: string; group: string };
}

/** Sees every event of one job as the training process sends it (before throttling); the series uses it for progress. */
export type JobObserver = (event: TrainingEvent) => void;

/**
 * Short jobs that need TensorFlow but are not runs: importing a model (it is rebuilt and saved by the engine)
 * and classifying images with a run's model. They run in a training process of their own and answer once.
 */
export type ToolJob =
  | {
      mode: 'import';
      /** The .keras / .h5 / model.json to read: picked in main's dialog, or an upload staged in the data folder. */
      file: string;
      /** The folder to write (experiment.json, model.json, weights.bin, import.json); must not exist yet. */
      outDir: string;
      /** What the user imported, in words (file name and format). */
      source: string;
    }
  | {
      mode: 'predict';
      /** A run folder, or any model folder (an imported model's): see runs/model-source.ts. */
      runDir: string;
      /** `path` on disk, `name` as the user knows the file (shown in each Prediction). */
      images: { path: string; name: string }[];
      model?: EvaluationModel;
      top: number;
    };

export type ToolOutput =
  { mode: 'import'; experiment: ExperimentSpec; warnings: string[] } | { mode: 'predict'; predictions: Prediction[] };

export interface TrainingHostLike {
  start(job: TrainingJob, observe?: JobObserver): Promise<Result<{ runId: RunId }>>;
  /** Resolves with how the job's process ended (null when no such job ran). */
  whenExited(runId: RunId): Promise<Omit<Events['training:exit'], 'runId'> | null>;
  stop(runId: RunId): boolean;
  isActive(runId: RunId): boolean;
  activeRuns(): RunId[];
  probeBackend(): Promise<{ backend: BackendInfo } | { error: string }>;
  /** Runs an import or a prediction in a training process of its own; BUSY while another such job runs. */
  runTool(job: ToolJob): Promise<Result<ToolOutput>>;
}

export type Emit = <E extends EventName>(event: E, payload: Events[E]) => void;

export type HostMessage = { type: 'train'; job: TrainingJob } | { type: 'tool'; job: ToolJob } | { type: 'stop' } | { type: 'probe' };

export type ProcessMessage =
  | { type: 'event'; event: TrainingEvent }
  | { type: 'probe'; backend: BackendInfo }
  | { type: 'probeFailed'; message: string }
  /** Something failed outside the training loop (dataset, run folder); the process exits after it. */
  | { type: 'fatal'; code: string; message: string }
  /** The answer to a `tool` job; the process exits after it. */
  | { type: 'toolResult'; output: ToolOutput }
  | { type: 'toolFailed'; code: ErrorCode; message: string };

const PROCESS_MESSAGE_TYPES: ReadonlySet<string> = new Set<ProcessMessage['type']>([
  'event',
  'probe',
  'probeFailed',
  'fatal',
  'toolResult',
  'toolFailed',
]);

export function isProcessMessage(value: unknown): value is ProcessMessage {
  if (!value || typeof value !== 'object') return false;
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' && PROCESS_MESSAGE_TYPES.has(type);
}
