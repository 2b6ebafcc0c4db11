/**
 * The one contract between the UI and the app's main side, declared once. Every request channel maps to its
 * request and response types, every event to its payload. The Electron preload, the main-side handlers, the
 * WebSocket transport of browser mode and the renderer's `Api` type are all derived from this module.
 *
 * Pure TypeScript (runs in main, preload and renderer): no Node, Electron or DOM imports.
 *
 * Rules both sides rely on:
 * - Every request answers with a `Result`: never a thrown error, never a rejected promise for app failures.
 * - Main validates every payload from `unknown`; the types below describe what a valid payload looks like.
 * - File paths come from main's own dialogs or from the app's data folder, never as free text from the UI.
 *   The one exception is `dataset:import` in browser mode (see `dataset:import`'s `path` in requests.ts).
 */
import type { z } from 'zod';
import type { RequestSchemas } from './requests.js';
import type { SpecIssue } from './schema.js';
import type { ExperimentSpec } from './spec.js';
import type { ModelSummary } from './summarize.js';
import type { BackendInfo, EpochRecord, RunStatus, TrainingEvent } from './training-events.js';
import type { RunFailureRecord } from './run-failures.js';
import type { SeriesEta } from './series-progress.js';
import type { SeriesReport } from './series-report.js';

// ---------------------------------------------------------------------------------------------------------
// Results

export interface AppError {
  code: ErrorCode;
  message: string;
  /** Structured detail, e.g. `{ issues: SpecIssue[] }` for INVALID_REQUEST / SPEC_INVALID. */
  details?: unknown;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

export const ERROR_CODES = [
  /** The payload did not match the channel's schema; `details.issues` lists where. */
  'INVALID_REQUEST',
  /** The experiment or model is well-formed but cannot be trained; `details.issues` is SpecIssue[]. */
  'SPEC_INVALID',
  /** The message did not come from the main frame of one of the app's own windows, or lacked the token. */
  'FORBIDDEN',
  'UNKNOWN_CHANNEL',
  /** No such run / dataset / file. */
  'NOT_FOUND',
  /** The feature is not built into this app, or not usable in this mode (e.g. an export format). */
  'NOT_AVAILABLE',
  /** A training run is already active; one runs at a time (native TensorFlow uses every core). */
  'BUSY',
  /** A dataset could not be read; `details` has `{ file?, record? }`. */
  'DATASET_ERROR',
  /** Reading or writing a file failed; `details` has `{ path }`. */
  'IO_ERROR',
  /**
   * The chosen path holds more than the write may replace (a folder where a file goes, a non-empty folder, a
   * run folder); `details` has `{ path, forceAllows }`: when true, the request may be sent again with `force`.
   */
  'TARGET_EXISTS',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(code: ErrorCode, message: string, details?: unknown): { ok: false; error: AppError } {
  return details === undefined ? { ok: false, error: { code, message } } : { ok: false, error: { code, message, details } };
}

// ---------------------------------------------------------------------------------------------------------
// Shared shapes

export type AppMode = 'electron' | 'browser';

/** Run ids are folder names under the app's runs folder: `YYYYMMDD-HHMMSS-<slug>`; see RUN_ID_PATTERN. */
export type RunId = string;
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$/;

export type RunState = RunStatus | 'running' | 'crashed';

export interface RunSummary {
  runId: RunId;
  name: string;
  createdAt: string;
  /** `running` while its training process lives; `crashed` when it died without recording an end (interrupted). */
  status: RunState;
  /** True while this app's training host runs it (a `running` run that is not active was interrupted). */
  active: boolean;
  preset?: string;
  datasetId: string;
  datasetName: string;
  epochsPlanned: number;
  epochsDone: number;
  /** The last epoch's metrics, for the runs table. */
  last?: EpochRecord;
  bestValAccuracy?: number;
  totalParams?: number;
  backend?: BackendInfo;
  durationMs?: number;
  hasModel: boolean;
  error?: RunFailureRecord;
  /** Interrupted (crashed), stopped or failed with epochs left: `training:resume` continues it. */
  resumable: boolean;
  /** Best value of the monitored metric so far (checkpoint-best / early stopping). */
  best?: { monitor: string; mode: 'min' | 'max'; best?: number; bestEpoch?: number };
  stoppedEarly?: { epoch: number; bestEpoch?: number; restored: boolean };
  /** Damaged files found while reading the run (a cut-off epoch line ...): shown, never hidden. */
  problems: { file: string; message: string }[];
  /** Part of an experiment series the app trained (`series:start`): the series, this run's key and report group. */
  series?: { seriesId: SeriesId; key: string; group: string };
}

/** Series ids are folder names under the app's series folder, like run ids. */
export type SeriesId = string;

/** The run of a series training now: which variant and grid point, which repeat. */
export interface SeriesCurrentRun {
  runId: RunId;
  /** 0-based position in the plan. */
  index: number;
  variant: string;
  /** Variant and grid point, e.g. "dropout lr=0.01". */
  group: string;
  seed: number;
  /** 0-based repeat of its group. */
  repeat: number;
  repeats: number;
  step: 'start' | 'resume';
}

/** Where a series is: sent as `series:progress` at every run start and end and every epoch's end. */
export interface SeriesProgress extends SeriesEta {
  seriesId: SeriesId;
  name: string;
  datasetId: string;
  status: 'running' | 'finished' | 'stopped' | 'failed';
  /** Runs in the plan, and how many of them have ended (trained now, or kept from before). */
  total: number;
  runsDone: number;
  /** The run training now; absent between runs and once the series ended. */
  current?: SeriesCurrentRun;
  /** Why the series ended `failed` (a run could not start), or its runs that failed. */
  message?: string;
}

export interface SeriesSummary {
  seriesId: SeriesId;
  name: string;
  description?: string;
  datasetId: string;
  createdAt: string;
  /** `interrupted`: series.json says running but nothing trains it (the app was closed or killed). */
  status: 'running' | 'finished' | 'stopped' | 'failed' | 'interrupted';
  /** True while this app trains it. */
  active: boolean;
  /** The plan's run ids in training order (runs not started yet have no folder). */
  runIds: RunId[];
  /** Runs that ended finished. */
  finished: number;
  /** Stopped or interrupted with runs left: `series:resume` continues it. */
  resumable: boolean;
  /** The latest progress, while active. */
  progress?: SeriesProgress;
}

export interface RunDetails extends RunSummary {
  experiment: ExperimentSpec;
  /** Every completed epoch, including those before a crash. */
  history: EpochRecord[];
  classNames: string[];
  inputShape: [number, number, number];
  /** The run folder on disk, shown to the user; never sent back as a path. */
  dir: string;
  /** The Keras-style text log (last ~200 lines). */
  logTail: string[];
  /** Each time the run was resumed, from which epoch. */
  resumes: { fromEpoch: number; at: string }[];
  /** The last evaluation of its model (after training, or by `runs:evaluate`), when there is one. */
  evaluation?: EvaluationReport;
}

export const EVALUATION_MODELS = ['final', 'best', 'last'] as const;
export type EvaluationModel = (typeof EVALUATION_MODELS)[number];

/** A trained model scored on held-out images. */
export interface EvaluationReport {
  /** Which images: the dataset's test set, else the run's validation split, else (optimistic) the training set. */
  set: 'test' | 'validation' | 'training';
  setDescription: string;
  model: EvaluationModel;
  count: number;
  loss: number;
  accuracy: number;
  classNames: string[];
  /** confusion[true][predicted] image counts. */
  confusion: number[][];
  /** precision is NaN-free: null when nothing was predicted as the class. */
  perClass: { name: string; support: number; precision: number | null; recall: number; accuracy: number }[];
  /** Most confidently wrong first, each with its image. */
  misclassified: {
    index: number;
    trueLabel: number;
    predicted: number;
    confidence: number;
    trueProbability: number;
    dataUrl: string | null;
  }[];
  warnings: string[];
  evaluatedAt: string;
}

export const DATASET_KINDS = ['cifar10', 'cifar100', 'folder', 'idx'] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];

/** What main's dialog asks the user to pick for each importable kind by default (see DatasetImportRequest.pick). */
export const DATASET_KIND_PICK: Record<DatasetKind, { pick: 'directory' | 'file'; label: string }> = {
  cifar10: {
    pick: 'directory',
    label: 'CIFAR-10 binary: the extracted folder (data_batch_1.bin ... test_batch.bin) or the .tar.gz archive',
  },
  cifar100: { pick: 'directory', label: 'CIFAR-100 binary: the extracted folder (train.bin, test.bin) or the .tar.gz archive' },
  folder: { pick: 'directory', label: 'Folder of images, one sub-folder per class (optionally train/ and test/ roots)' },
  idx: { pick: 'directory', label: 'MNIST-style IDX files: their folder, or the images file' },
};

/** Import options a dataset reference may carry after `#` (e.g. `size=32x32,channels=1`, `coarse`). */
export const DATASET_OPTIONS_PATTERN = /^[a-z]+(=[^,#]*)?(,[a-z]+(=[^,#]*)?)*$/;

export interface DatasetInfo {
  /** Use this id in `training:start` and `dataset:samples`: `mnist`, or `kind:path` for imported sets. */
  id: string;
  name: string;
  kind: 'bundled' | DatasetKind;
  inputShape: [number, number, number];
  classNames: string[];
  trainCount: number;
  testCount: number;
  source: string;
  /** Training images per class, in classNames order. */
  classCounts?: number[];
  /** The first few files an import skipped, with the reason; skippedCount is the full count. */
  skipped?: { file: string; reason: string }[];
  skippedCount?: number;
}

export interface DatasetSample {
  /** `data:image/png;base64,...` */
  dataUrl: string;
  classIndex: number;
  label: string;
}

export const EXPORT_FORMATS = ['keras', 'h5', 'tfjs', 'python'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Answer of every channel that may open a dialog: the user may cancel it, which is not an error. */
export type Picked<T> = ({ canceled: false } & T) | { canceled: true };

// ---------------------------------------------------------------------------------------------------------
// Requests and responses

export interface SummarizeResponse {
  /** Problems in the spec's shape itself (bad field values): the summary is absent when there are any. */
  issues: SpecIssue[];
  summary?: ModelSummary;
  /** The Keras-style `model.summary()` table. */
  text?: string;
}

/** A file the page itself read (browser mode has no native dialogs): its name and bytes, base64. */
export interface UploadedFile {
  name: string;
  contentBase64: string;
}

export interface ModelImportResponse {
  /** Use in `training:start`'s `initialWeights` to continue from these weights. */
  importId: string;
  /** The imported model as a spec (and its training settings), ready for the editor. */
  experiment: ExperimentSpec;
  /** What was imported, for the user: file name and format. */
  source: string;
  warnings: string[];
}

export interface Prediction {
  file: string;
  /** Most probable first. */
  top: { classIndex: number; className: string; probability: number }[];
  /** Set instead of `top` when the image could not be read, naming why. */
  error?: string;
}
export interface TrainingStartResponse {
  runId: RunId;
  dir: string;
}

export interface SaveResult {
  /** Where the files were written (a folder for tfjs layers models, a file otherwise). */
  path: string;
  files: string[];
  /** Browser mode: a link per file that downloads it through the page (the files stay on the server too). */
  downloads?: DownloadLink[];
}

export interface DownloadLink {
  name: string;
  /** A path on the browser-mode server, under DOWNLOAD_PATH. */
  href: string;
}

/** Where the browser-mode server serves saved and exported files for download. */
export const DOWNLOAD_PATH = '/download/';

export interface AppInfo {
  name: string;
  version: string;
  mode: AppMode;
  platform: string;
  arch: string;
  versions: { node: string; electron?: string; chrome?: string };
  /** What the training process found, or null when the probe failed (see backendError). */
  backend: BackendInfo | null;
  backendError?: string;
  dataDir: string;
  datasetKinds: DatasetKind[];
  /** The export formats this build can write (others answer NOT_AVAILABLE). */
  exportFormats: ExportFormat[];
}

export interface SpecOpenResponse {
  fileName: string;
  /** Absent when the file did not validate; `issues` says why. */
  experiment?: ExperimentSpec;
  issues: SpecIssue[];
}

// ---------------------------------------------------------------------------------------------------------
// The channel map

/** A channel's request as its schema in common/requests.ts parses it: the one declaration of its shape. */
type Req<C extends keyof RequestSchemas> = z.output<RequestSchemas[C]>;

export interface Channels {
  'model:summarize': { request: Req<'model:summarize'>; response: SummarizeResponse };
  'training:start': { request: Req<'training:start'>; response: TrainingStartResponse };
  /** Cooperative stop at the next batch boundary; the process is killed after a grace period. */
  'training:stop': { request: Req<'training:stop'>; response: { stopping: boolean } };
  /** Continues an interrupted/stopped run from its last checkpoint (same run id; events as for a start). */
  'training:resume': { request: Req<'training:resume'>; response: TrainingStartResponse };
  'runs:list': { request: Req<'runs:list'>; response: { runs: RunSummary[] } };
  'runs:get': { request: Req<'runs:get'>; response: RunDetails };
  /** Refused with BUSY while the run is active. */
  'runs:delete': { request: Req<'runs:delete'>; response: { deleted: true } };
  /** Scores a run's saved model on held-out images, in a training process; BUSY while a run trains. */
  'runs:evaluate': { request: Req<'runs:evaluate'>; response: EvaluationReport };
  /** Runs in a training process (it needs TensorFlow), like training. */
  'model:predict': { request: Req<'model:predict'>; response: Picked<{ predictions: Prediction[] }> };
  /** Runs in a training process (it needs TensorFlow), like training. */
  'model:import': { request: Req<'model:import'>; response: Picked<ModelImportResponse> };
  /** Electron: to a folder chosen in main's dialog. Browser mode: under the data folder's `saved/`. */
  'model:save': { request: Req<'model:save'>; response: Picked<SaveResult> };
  'model:export': { request: Req<'model:export'>; response: Picked<SaveResult> };
  'dataset:list': { request: Req<'dataset:list'>; response: { datasets: DatasetInfo[] } };
  /** Answers `{ canceled: true }` when the user canceled the dialog or `dataset:cancelImport` stopped it. */
  'dataset:import': { request: Req<'dataset:import'>; response: Picked<{ dataset: DatasetInfo }> };
  /** Stops the import in progress between files; `canceled` is false when none was running. */
  'dataset:cancelImport': { request: Req<'dataset:cancelImport'>; response: { canceled: boolean } };
  'dataset:samples': { request: Req<'dataset:samples'>; response: { samples: DatasetSample[] } };
  'app:info': { request: Req<'app:info'>; response: AppInfo };
  'spec:open': { request: Req<'spec:open'>; response: Picked<SpecOpenResponse> };
  /** Electron: to a file chosen in main's dialog. Browser mode: under the data folder's `specs/`. */
  'spec:save': { request: Req<'spec:save'>; response: Picked<{ path: string }> };
  /**
   * Plans a series (validated like a series file; errors name the field) on a dataset and trains it in the
   * background, one run at a time through the training host; progress comes as `series:progress`. BUSY while
   * a run or another series trains.
   */
  'series:start': { request: Req<'series:start'>; response: { seriesId: SeriesId; runIds: RunId[] } };
  /** Stops the run training now at a batch boundary and ends the series there; everything done is kept. */
  'series:stop': { request: Req<'series:stop'>; response: { stopping: boolean } };
  /** Continues a stopped or interrupted series: finished runs are kept, a stopped run resumes, the rest start. */
  'series:resume': { request: Req<'series:resume'>; response: { seriesId: SeriesId } };
  'series:list': { request: Req<'series:list'>; response: { series: SeriesSummary[] } };
  /** The series report (common/series-report.ts) over every planned run, as `layerbench report` writes it. */
  'series:report': { request: Req<'series:report'>; response: { report: SeriesReport } };
}

export type Channel = keyof Channels;
export type RequestOf<C extends Channel> = Channels[C]['request'];
export type ResponseOf<C extends Channel> = Channels[C]['response'];

/** The same channels at run time (the preload and the WS server iterate them); checked against Channels. */
export const CHANNELS = [
  'model:summarize',
  'training:start',
  'training:stop',
  'training:resume',
  'runs:list',
  'runs:get',
  'runs:delete',
  'runs:evaluate',
  'model:predict',
  'model:import',
  'model:save',
  'model:export',
  'dataset:list',
  'dataset:import',
  'dataset:cancelImport',
  'dataset:samples',
  'app:info',
  'spec:open',
  'spec:save',
  'series:start',
  'series:stop',
  'series:resume',
  'series:list',
  'series:report',
] as const satisfies readonly Channel[];

// Compile-time check that CHANNELS names every channel of the map, no more, no fewer.
type Missing<A, B> = Exclude<A, B>;
const _allChannelsListed: Missing<Channel, (typeof CHANNELS)[number]> extends never ? true : never = true;
void _allChannelsListed;

// ---------------------------------------------------------------------------------------------------------
// Events (main -> UI)

export type ExitReason =
  /** The run ended normally (status finished, stopped, or failed with a reported error such as NAN_LOSS). */
  | 'ended'
  /** Stop was asked and the process did not reach a batch boundary within the grace period. */
  | 'killed'
  /** The process ran out of memory (V8 heap or allocation failure). */
  | 'oom'
  /** The process exited or died without reporting an end. */
  | 'crashed';

export interface Events {
  'training:event': { runId: RunId; event: TrainingEvent };
  /** Sent once per run when its training process is gone. */
  'training:exit': {
    runId: RunId;
    code: number | null;
    signal: string | null;
    reason: ExitReason;
    status: RunState;
    /** Plain-language explanation, e.g. "the training process ran out of memory after epoch 3". */
    message: string;
    /** Epochs completed and kept (history up to a crash survives). */
    epochsDone: number;
  };
  'dataset:progress': {
    kind: DatasetKind | 'bundled';
    source: string;
    /** `scanning`: listing the folder (`done` counts files and folders, `total` is null). */
    phase: 'scanning' | 'reading' | 'decoding' | 'done' | 'failed' | 'canceled';
    done: number;
    /** Null when unknown. */
    total: number | null;
    message?: string;
  };
  /** The runs list changed (a run created, finished, deleted): the UI refreshes `runs:list`. */
  'runs:changed': { runId: RunId; change: 'created' | 'updated' | 'deleted' };
  /** A series the app trains moved on: a run started or ended, an epoch ended, or the series ended. */
  'series:progress': SeriesProgress;
}

export type EventName = keyof Events;

export const EVENT_NAMES = [
  'training:event',
  'training:exit',
  'dataset:progress',
  'runs:changed',
  'series:progress',
] as const satisfies readonly EventName[];
const _allEventsListed: Missing<EventName, (typeof EVENT_NAMES)[number]> extends never ? true : never = true;
void _allEventsListed;

// ---------------------------------------------------------------------------------------------------------
// The API the renderer sees (window.layerbench in Electron, the WebSocket client in browser mode)

export type Api = { [C in Channel]: (request: RequestOf<C>) => Promise<Result<ResponseOf<C>>> } & {
  /** Subscribe to an event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, callback: (payload: Events[E]) => void): () => void;
};

/** The name under which the Electron preload exposes the Api on `window`. */
export const API_GLOBAL = 'layerbench';

// ---------------------------------------------------------------------------------------------------------
// Browser-mode WebSocket transport

/** The WebSocket endpoint, on the same host and port that serves the page. */
export const WS_PATH = '/ws';
/**
 * The per-launch token: in the page URL's query (`/?token=...`) and in the WebSocket URL's query
 * (`ws://127.0.0.1:PORT/ws?token=...`). The server also sets it as an HttpOnly SameSite=Strict cookie named
 * TOKEN_COOKIE when the page is loaded with a valid token, so assets and reconnects work after the URL changes.
 */
export const TOKEN_PARAM = 'token';
export const TOKEN_COOKIE = 'layerbench_token';

/** Client -> server. `id` is chosen by the client, unique per connection. */
export interface WsRequest<C extends Channel = Channel> {
  id: number;
  channel: C;
  payload: RequestOf<C>;
}
/** Server -> client answer to the request with the same id. */
export interface WsResponse<C extends Channel = Channel> {
  id: number;
  result: Result<ResponseOf<C>>;
}
/** Server -> client event, pushed to every connected client. */
export interface WsEvent<E extends EventName = EventName> {
  event: E;
  payload: Events[E];
}
export type WsServerMessage = WsResponse | WsEvent;

/** WebSocket close codes the server uses; 1009 is ws's own, for a message over WS_MAX_MESSAGE_BYTES. */
export const WS_CLOSE = { forbidden: 4403, protocolError: 4400, tooLarge: 1009 } as const;

/**
 * Largest files browser mode accepts as uploads (decoded bytes; `UploadedFile`): a model to import, all its
 * files together (the seed CNN's 1.25 M parameters take 5 MB; a file with optimizer state up to three times that),
 * and images to classify. The service refuses more with INVALID_REQUEST naming the file.
 */
export const UPLOAD_LIMITS = {
  modelBytes: 160 * 1024 * 1024,
  modelFiles: 64,
  imageBytes: 32 * 1024 * 1024,
  images: 64,
  imagesTotalBytes: 160 * 1024 * 1024,
} as const;

/** spec:open sends the file's text; no spec comes near it (one with 200 layers is ~40 kB). */
export const SPEC_OPEN_MAX_CHARS = 1_000_000;

/**
 * Largest request the server accepts (ws `maxPayload`; more is refused with close code 1009 before it is read):
 * the biggest upload as base64 (4/3 of its bytes) and 1 MB for the file names and the JSON around it.
 */
export const WS_MAX_MESSAGE_BYTES =
  Math.ceil(Math.max(UPLOAD_LIMITS.modelBytes, UPLOAD_LIMITS.imagesTotalBytes, SPEC_OPEN_MAX_CHARS) / 3) * 4 + 1024 * 1024;

/** What a closed connection means for the person using the page, by close code. */
export function wsCloseReason(code: number): string {
  if (code === WS_CLOSE.forbidden)
    return 'the server refused this page (its token is wrong or missing: open the URL that `layerbench serve` printed)';
  if (code === WS_CLOSE.tooLarge)
    return `the request was larger than the server accepts (${Math.floor(WS_MAX_MESSAGE_BYTES / (1024 * 1024))} MB): send fewer or smaller files`;
  return 'the connection to Layerbench was lost';
}
