/**
 * What the transport-independent service needs from its surroundings. Electron supplies native dialogs and a
 * utilityProcess-backed training host; browser mode supplies no dialogs and a child_process-backed host.
 */
import type { AppMode, EvaluationModel, EventName, Events, Result, RunId } from '../../common/contract.js';
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
}

export interface TrainingHostLike {
  start(job: TrainingJob): Promise<Result<{ runId: RunId }>>;
  /** Resolves with how the job's process ended (null when no such job ran). */
  whenExited(runId: RunId): Promise<Omit<Events['training:exit'], 'runId'> | null>;
  stop(runId: RunId): boolean;
  isActive(runId: RunId): boolean;
  activeRuns(): RunId[];
  probeBackend(): Promise<{ backend: BackendInfo } | { error: string }>;
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
