/**
 * The run store: every run is a folder under one parent (the app's runs folder). Listing reads only each
 * run's run.json and epochs.jsonl, a few at a time in parallel, so hundreds of runs list in well under a
 * second. A damaged file never makes the store unreadable: the run is listed with its problems.
 */
import { hostname } from 'node:os';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { EpochRecord } from '../../common/training-events.js';
import { parseEpochLog, type StoreProblem } from './epoch-log.js';
import { RunError } from './run-error.js';
import { activeRunDirs, RUN_FILES, type RunInfo } from './run-folder.js';
import { MODEL_JSON } from '../../common/model-files.js';
import { pidAlive } from '../platform/folder-lock.js';
import { processDied, repeatsOnResume, type RunFailureRecord } from '../../common/run-failures.js';

/** `interrupted`: the run's process died (killed, power loss, disk full) without recording an end. */
export type RunFolderState = 'running' | 'interrupted' | 'finished' | 'stopped' | 'failed' | 'unreadable';

export interface RunListing {
  /** The folder's name: the run's id within its parent folder. */
  id: string;
  dir: string;
  name: string;
  createdAt: string;
  state: RunFolderState;
  preset?: string;
  datasetId?: string;
  datasetName?: string;
  epochsPlanned?: number;
  epochsDone: number;
  last?: EpochRecord;
  best?: RunInfo['best'];
  stoppedEarly?: RunInfo['stoppedEarly'];
  durationMs?: number;
  backend?: RunInfo['backend'];
  hasModel: boolean;
  /** Interrupted, stopped or failed with epochs left: `resume` can continue it. */
  resumable: boolean;
  error?: RunFailureRecord;
  problems: StoreProblem[];
  /** The experiment series the run belongs to (run.json's `series`). */
  series?: RunInfo['series'];
}

export interface OpenedRun extends RunListing {
  info?: RunInfo;
  history: EpochRecord[];
  resumes: { fromEpoch: number; at: string }[];
  /** The last lines of the Keras-style text log. */
  logTail: string[];
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** True while the process that wrote `running` is alive on this machine. */
export function processAlive(p: RunInfo['process'], dir?: string): boolean {
  if (!p || p.host !== hostname()) return false;
  if (p.pid === process.pid) return dir !== undefined && activeRunDirs.has(dir);
  return pidAlive(p.pid);
}

export function stateOf(info: RunInfo, dir?: string): RunFolderState {
  if (info.status !== 'running') return info.status;
  return processAlive(info.process, dir) ? 'running' : 'interrupted';
}

/**
 * Whether `resume` can continue the run: epochs are left, or all are done but the run ended before its final
 * save was recorded (killed, or its process died, between the last epoch and run.json saying finished; or
 * the save itself failed): resuming then writes model/ from the last checkpoint.
 */
function resumable(state: RunFolderState, info: RunInfo | undefined, done: number, hasModel: boolean): boolean {
  const planned = info?.experiment?.training?.epochs;
  if (planned === undefined) return false;
  // A failure a resume would only repeat (bad settings, model, shape, divergence) is not offered.
  if (state === 'failed' && info?.error !== undefined && repeatsOnResume(info.error.code)) return false;
  const ended = state === 'interrupted' || state === 'stopped' || state === 'failed';
  if (ended && done < planned) return true;
  if (done === 0) return false;
  const died = state === 'interrupted' || (state === 'failed' && info?.error !== undefined && processDied(info.error.code));
  return died || (state === 'finished' && !hasModel && !info?.stoppedEarly);
}

async function readRun(dir: string, full: boolean): Promise<OpenedRun> {
  const problems: StoreProblem[] = [];
  const infoFile = path.join(dir, RUN_FILES.info);
  let info: RunInfo | undefined;
  try {
    const text = await readText(infoFile);
    if (text === undefined) problems.push({ file: infoFile, message: 'run.json is missing' });
    else info = JSON.parse(text) as RunInfo;
    if (info && (typeof info.experiment !== 'object' || typeof info.createdAt !== 'string')) throw new Error('unexpected contents');
  } catch (e) {
    info = undefined;
    problems.push({ file: infoFile, message: `run.json cannot be read: ${(e as Error).message}` });
  }
  const epochsFile = path.join(dir, RUN_FILES.epochs);
  const log = parseEpochLog((await readText(epochsFile).catch((e: Error) => (problems.push({ file: epochsFile, message: e.message }), ''))) ?? '', epochsFile);
  problems.push(...log.problems);
  const state: RunFolderState = info ? stateOf(info, dir) : 'unreadable';
  const planned = info?.experiment?.training?.epochs;
  const done = log.history.length;
  const hasModel = (await exists(path.join(dir, RUN_FILES.model, MODEL_JSON))) || (await exists(path.join(dir, `${RUN_FILES.model}.previous`, MODEL_JSON)));
  const listing: OpenedRun = {
    id: path.basename(dir),
    dir,
    name: info?.name ?? path.basename(dir),
    createdAt: info?.createdAt ?? (await stat(dir)).mtime.toISOString(),
    state,
    ...(info?.preset ? { preset: info.preset } : {}),
    ...(info ? { datasetId: info.dataset.id, datasetName: info.dataset.name, epochsPlanned: planned } : {}),
    epochsDone: done,
    ...(done > 0 ? { last: log.history[done - 1] } : {}),
    ...(info?.best ? { best: info.best } : {}),
    ...(info?.stoppedEarly ? { stoppedEarly: info.stoppedEarly } : {}),
    ...(info?.durationMs !== undefined ? { durationMs: info.durationMs } : {}),
    ...(info?.backend ? { backend: info.backend } : {}),
    hasModel,
    resumable: resumable(state, info, done, hasModel),
    ...(info?.error ? { error: info.error } : {}),
    problems,
    ...(info?.series ? { series: info.series } : {}),
    history: log.history,
    resumes: log.resumes,
    logTail: [],
  };
  if (info) listing.info = info;
  if (full) {
    const text = (await readText(path.join(dir, RUN_FILES.log)).catch(() => undefined)) ?? '';
    listing.logTail = text.split('\n').filter((l) => l !== '').slice(-200);
  }
  return listing;
}

/** Opens one run: its record, the full history, problems found, and the end of its text log. */
export async function openRun(dir: string): Promise<OpenedRun> {
  const resolved = path.resolve(dir);
  if (!(await exists(path.join(resolved, RUN_FILES.info))) && !(await exists(path.join(resolved, RUN_FILES.epochs)))) {
    throw new RunError('NOT_FOUND', `${resolved} is not a run folder (it has no ${RUN_FILES.info})`);
  }
  return readRun(resolved, true);
}

/** Lists the runs in `parent`, newest first. Folders that are not runs are skipped. */
export async function listRuns(parent: string, concurrency = 16): Promise<RunListing[]> {
  let entries;
  try {
    entries = await readdir(parent, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    if (code === 'ENOTDIR') throw new RunError('NOT_A_FOLDER', `${path.resolve(parent)} is a file, not a folder of runs`);
    if (code === 'EACCES' || code === 'EPERM') throw new RunError(code, `cannot list the runs in ${path.resolve(parent)}: permission denied`);
    throw e;
  }
  const dirs = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => path.join(path.resolve(parent), e.name));
  const out: (RunListing | undefined)[] = new Array(dirs.length);
  let next = 0;
  const worker = async () => {
    while (next < dirs.length) {
      const k = next++;
      const dir = dirs[k];
      if (!(await exists(path.join(dir, RUN_FILES.info))) && !(await exists(path.join(dir, RUN_FILES.epochs)))) continue;
      const { history: _h, resumes: _r, logTail: _l, info: _i, ...listing } = await readRun(dir, false);
      out[k] = listing;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, dirs.length) }, worker));
  return out.filter((r): r is RunListing => r !== undefined).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}
