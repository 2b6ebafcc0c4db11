/**
 * Checkpoints in a run folder: `last` after every completed epoch (weights, optimizer state, history and the
 * best-so-far tracker: everything a resume needs), and `best` whenever the monitored metric improves. Each is
 * written with saveModelAtomic, so a crash or a full disk mid-write leaves the previous checkpoint whole.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { EpochRecord } from '../../common/training-events.js';
import { nodeFileOps, type FileOps } from '../platform/replace-file.js';
import type { BestState } from './early-stopping.js';
import type { PlateauState } from '../../common/lr-schedule.js';
import { MODEL_JSON, OPTIMIZER_BIN, OPTIMIZER_JSON } from '../../common/model-files.js';
import { loadModelFromDir, recoverInterruptedSave, saveModelAtomic } from './save.js';
import type { LayersModel, TF, Tensor } from './tf-types.js';

export const CHECKPOINT_FILES = { state: 'state.json', optimizerSpecs: OPTIMIZER_JSON, optimizerData: OPTIMIZER_BIN } as const;
export type CheckpointKind = 'last' | 'best';

export interface CheckpointState {
  version: 1;
  kind: CheckpointKind;
  /** The last completed epoch the weights belong to. */
  epoch: number;
  /** Every epoch record up to `epoch`, so a resume continues the same history even if the log was damaged. */
  history: EpochRecord[];
  best: BestState;
  /** ReduceLROnPlateau's state after `epoch`, so a resume goes on with the same rate and counters. */
  plateau?: PlateauState;
  savedAt: string;
}

type NamedTensor = { name: string; tensor: Tensor };
type WeightsSpec = Parameters<TF['io']['decodeWeights']>[1];

/** What a resume restores: model weights in model.getWeights() order and the optimizer's own state. */
export interface RestoredCheckpoint {
  state: CheckpointState;
  weights: Tensor[];
  optimizerWeights: NamedTensor[];
}

export class CheckpointError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'CheckpointError';
  }
}

function bytesOf(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  const parts = Array.isArray(data) ? data : [data];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), offset);
    offset += p.byteLength;
  }
  return out;
}

export class CheckpointStore {
  constructor(
    /** The run's `checkpoints` folder. */
    readonly dir: string,
    private readonly fs: FileOps = nodeFileOps,
  ) {}

  dirOf(kind: CheckpointKind): string {
    return path.join(this.dir, kind);
  }

  /** Saves the model, its optimizer's state (Adam's moments and step count) and `state` as one atomic folder. */
  async write(tf: TF, model: LayersModel, state: CheckpointState): Promise<void> {
    const extras: Record<string, string | Uint8Array> = { [CHECKPOINT_FILES.state]: JSON.stringify(state) };
    if (state.kind === 'last') {
      const named = (await model.optimizer.getWeights()) as NamedTensor[];
      const encoded = await tf.io.encodeWeights(named);
      // getWeights hands back the optimizer's live variables plus a fresh step-count scalar: free only the latter.
      for (const { tensor } of named) if (!(tensor instanceof tf.Variable)) tensor.dispose();
      extras[CHECKPOINT_FILES.optimizerSpecs] = JSON.stringify({ optimizer: model.optimizer.getClassName(), specs: encoded.specs });
      extras[CHECKPOINT_FILES.optimizerData] = bytesOf(encoded.data as ArrayBuffer | ArrayBuffer[]);
    }
    await saveModelAtomic(tf, model, this.dirOf(state.kind), extras, this.fs);
  }

  /** The checkpoint's state, or undefined when there is none; a damaged one throws CheckpointError. */
  async readState(which: CheckpointKind): Promise<CheckpointState | undefined> {
    const dir = this.dirOf(which);
    await recoverInterruptedSave(dir, this.fs);
    const file = path.join(dir, CHECKPOINT_FILES.state);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CheckpointError(`cannot read checkpoint ${file}: ${(e as Error).message}`, file);
    }
    try {
      const state = JSON.parse(text) as CheckpointState;
      if (state.version !== 1 || !Number.isInteger(state.epoch) || !Array.isArray(state.history)) throw new Error('unexpected contents');
      return state;
    } catch (e) {
      throw new CheckpointError(`checkpoint ${file} is damaged (${(e as Error).message}); it cannot be resumed from`, file);
    }
  }

  /** Model weights only (for restoring the best epoch or evaluating a checkpoint), as standalone tensors. */
  async loadWeights(tf: TF, which: CheckpointKind): Promise<Tensor[]> {
    const loaded = await this.loadModel(tf, which);
    const weights = loaded.getWeights().map((w) => w.clone());
    loaded.dispose();
    return weights;
  }

  async loadModel(tf: TF, which: CheckpointKind): Promise<LayersModel> {
    const dir = this.dirOf(which);
    try {
      return await loadModelFromDir(tf, dir);
    } catch (e) {
      throw new CheckpointError(`cannot load the ${which} checkpoint from ${dir}: ${(e as Error).message}`, path.join(dir, MODEL_JSON));
    }
  }

  /** Everything a resume needs from the `last` checkpoint, or undefined when no epoch was completed. */
  async restore(tf: TF): Promise<RestoredCheckpoint | undefined> {
    const state = await this.readState('last');
    if (!state) return undefined;
    const dir = this.dirOf('last');
    const specsFile = path.join(dir, CHECKPOINT_FILES.optimizerSpecs);
    let optimizerWeights: NamedTensor[];
    try {
      const { specs } = JSON.parse(await readFile(specsFile, 'utf8')) as { specs: WeightsSpec };
      const data = await readFile(path.join(dir, CHECKPOINT_FILES.optimizerData));
      const decoded = tf.io.decodeWeights(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer, specs);
      optimizerWeights = specs.map((s) => ({ name: s.name, tensor: decoded[s.name] }));
    } catch (e) {
      throw new CheckpointError(`the optimizer state in ${dir} cannot be read: ${(e as Error).message}`, specsFile);
    }
    const weights = await this.loadWeights(tf, 'last');
    return { state, weights, optimizerWeights };
  }
}
