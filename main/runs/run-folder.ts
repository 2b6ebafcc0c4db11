/**
 * A run's folder on disk: what was trained (run.json: spec, settings, dataset identity and split, backend,
 * versions, seed), the epoch log as it happens (epochs.jsonl, one line per epoch, flushed when written),
 * the Keras-style text log, the checkpoints and the final model.
 *
 * run.json is replaced atomically (platform/replace-file); epochs.jsonl is append-only, so a crash loses at
 * most the epoch in progress, and a line cut off by a crash is ended before the next append so it can be
 * reported on reading instead of swallowing the record after it.
 */
import { constants } from 'node:fs';
import { appendFile, open } from 'node:fs/promises';
import path from 'node:path';
import type { ExperimentSpec } from '../../common/spec.js';
import type { BackendInfo, EpochRecord, RunStatus } from '../../common/training-events.js';
import type { ResizeMode } from '../data/image-decode.js';
import type { SplitRecord } from '../data/split.js';
import { CheckpointStore } from '../engine/checkpoint.js';
import { nodeFileOps, replaceFile, type FileOps } from '../platform/replace-file.js';
import type { BestState } from '../engine/early-stopping.js';
import type { EarlyStop } from '../engine/epoch-keeper.js';
import type { RunFailureRecord } from '../../common/run-failures.js';

export interface RunInfo {
  version: 1;
  name: string;
  createdAt: string;
  experiment: ExperimentSpec;
  preset?: string;
  dataset: {
    id: string;
    name: string;
    source: string;
    inputShape: number[];
    classNames: string[];
    /** How the dataset brought images of another size to inputShape (folder imports); predict does the same. */
    resize?: ResizeMode;
    split?: SplitRecord;
    /** sha256 of the pixels, labels and shape (see datasetHash): a resume refuses different data. */
    contentHash?: string;
    trainCount?: number;
    testCount?: number;
  };
  backend?: BackendInfo;
  versions: { layerbench: string; node: string; tfjs?: string };
  status: RunStatus | 'running';
  /** The process training the run while `running`; a run whose process is gone was interrupted. */
  process?: { pid: number; host: string; startedAt: string };
  /** The run started from these weights instead of fresh ones: a model folder (an import's, or `--init-weights`). */
  initializedFrom?: { dir: string; importId?: string; source?: string };
  /** Part of an experiment series: its folder, this run's key in the plan, and its report group. */
  series?: { dir: string; key: string; group: string };
  /** Each time the run was resumed, and after which completed epoch. */
  resumes?: { at: string; fromEpoch: number }[];
  best?: BestState;
  stoppedEarly?: EarlyStop;
  finishedAt?: string;
  durationMs?: number;
  error?: RunFailureRecord;
}

export const RUN_FILES = {
  info: 'run.json',
  epochs: 'epochs.jsonl',
  log: 'log.txt',
  model: 'model',
  checkpoints: 'checkpoints',
  evaluation: 'evaluation',
} as const;

/** A line of epochs.jsonl that is not an epoch: written when a run resumes, so the log tells its own story. */
export interface ResumeMarker {
  resumed: { fromEpoch: number; at: string };
}

/** Appends `text` and fsyncs; if the file ends in a line cut off by a crash, that line is ended first. */
export async function appendLineDurable(file: string, text: string): Promise<void> {
  const handle = await open(file, constants.O_RDWR | constants.O_CREAT | constants.O_APPEND, 0o644);
  try {
    const { size } = await handle.stat();
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    await handle.writeFile(prefix + text + '\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export type AppendLine = (file: string, text: string) => Promise<void>;

/** Run folders this process is training right now (its own pid in run.json says nothing once training ends). */
export const activeRunDirs = new Set<string>();

export class RunFolder {
  constructor(
    readonly dir: string,
    /** Injectable so tests can fail any write (ENOSPC, EIO) of run.json or a checkpoint. */
    readonly fs: FileOps = nodeFileOps,
    private readonly appendLine: AppendLine = appendLineDurable,
  ) {}

  async create(info: RunInfo): Promise<void> {
    await this.fs.mkdir(this.dir);
    await this.writeInfo(info);
  }

  async writeInfo(info: RunInfo): Promise<void> {
    await replaceFile(path.join(this.dir, RUN_FILES.info), JSON.stringify(info, null, 2) + '\n', this.fs);
  }

  async appendEpoch(record: EpochRecord): Promise<void> {
    await this.appendLine(this.file('epochs'), JSON.stringify(record));
  }

  async appendResumeMarker(fromEpoch: number): Promise<void> {
    const marker: ResumeMarker = { resumed: { fromEpoch, at: new Date().toISOString() } };
    await this.appendLine(this.file('epochs'), JSON.stringify(marker));
  }

  async appendLog(line: string): Promise<void> {
    await appendFile(this.file('log'), line + '\n');
  }

  file(which: keyof typeof RUN_FILES): string {
    return path.join(this.dir, RUN_FILES[which]);
  }

  get modelDir(): string {
    return this.file('model');
  }

  get checkpoints(): CheckpointStore {
    return new CheckpointStore(this.file('checkpoints'), this.fs);
  }
}
