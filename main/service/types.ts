/**
 * What the transport-independent service needs from its surroundings. Electron supplies native dialogs and a
 * utilityProcess-backed training host; browser mode supplies no dialogs and a child_process-backed host.
 */
import type { AppMode, EvaluationModel, EventName, Events, Prediction, Result, RunId } from '../../common/contract.js';
import type { ExperimentSpec } from '../../common/spec.js';
import type { BackendInfo } from '../../common/training-events.js';

export interface FileFilter {
  name: string;
  extensions: string[];
}

/** Main's own dialogs: the only source of file paths in Electron. Each resolves to null when canceled. */
export interface Dialogs {
  pickDirectory(title: string): Promise<string | null>;
  pickFile(title: string, filters: FileFilter[]): Promise<string | null>;
  /** Several files at once (images to classify); null when canceled. */
  pickFiles(title: string, filters: FileFilter[]): Promise<string[] | null>;
  saveFile(title: string, defaultName: string, filters: FileFilter[]): Promise<string | null>;
}

/** A job as the host hands it to a training process: train a new run, resume one, or evaluate its model. */
export interface TrainingJob {
  mode: 'start' | 'resume' | 'evaluate';
  /** For `evaluate`: which of the run's models (default final). */
  evaluateModel?: EvaluationModel;
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
}

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
      runDir: string;
      /** `path` on disk, `name` as the user knows the file (shown in each Prediction). */
      images: { path: string; name: string }[];
      model?: EvaluationModel;
      top: number;
    };

export type ToolOutput =
  { mode: 'import'; experiment: ExperimentSpec; warnings: string[] } | { mode: 'predict'; predictions: Prediction[] };

export interface TrainingHostLike {
  start(job: TrainingJob): Promise<Result<{ runId: RunId }>>;
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

export interface ServiceDeps {
  mode: AppMode;
  dataDir: string;
  version: string;
  versions: { node: string; electron?: string; chrome?: string };
  /** Present in Electron; absent in browser mode, where paths fall back to the data folder. */
  dialogs?: Dialogs;
  host: TrainingHostLike;
  emit: Emit;
}
