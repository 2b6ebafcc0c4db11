/**
 * What a training run reports, as plain data: the CLI prints it as Keras-style logs, the desktop shell
 * forwards it over IPC, the UI charts it.
 */
import type { RunFailureRecord } from './run-failures.js';

export interface EpochMetrics {
  loss: number;
  accuracy: number;
  val_loss?: number;
  val_accuracy?: number;
}

export interface EpochRecord extends EpochMetrics {
  /** 1-based, as Keras prints it. */
  epoch: number;
  /** The whole epoch, validation included. */
  durationMs: number;
  samples: number;
  /** Training steps (batches) and their time, validation excluded: Keras's per-step time. Absent in older runs. */
  steps?: number;
  trainMs?: number;
  /**
   * The learning rate of the epoch's last training step; only under a learning-rate schedule. Under
   * ReduceLROnPlateau it is the rate the whole epoch trained with, before any reduction after it, as Keras logs it.
   */
  lr?: number;
}

export interface BackendInfo {
  name: 'tensorflow' | 'wasm' | 'cpu';
  native: boolean;
  detail: string;
  warning?: string;
}

export type RunStatus = 'finished' | 'stopped' | 'failed';

export type TrainingEvent =
  | {
      type: 'start';
      backend: BackendInfo;
      trainCount: number;
      validationCount: number;
      epochs: number;
      /** First epoch of this run: above 1 when an interrupted run resumes. */
      initialEpoch: number;
      batchSize: number;
      batchesPerEpoch: number;
      totalParams: number;
    }
  | { type: 'epochStart'; epoch: number; epochs: number }
  | {
      type: 'batch';
      epoch: number;
      /** 1-based batch number within the epoch. */
      batch: number;
      batches: number;
      samplesSeen: number;
      samplesTotal: number;
      /** Running means over the epoch so far, as Keras's progress bar shows them. */
      loss: number;
      accuracy: number;
      /** This batch's own loss, for the per-batch loss curve. */
      batchLoss: number;
      elapsedMs: number;
      samplesPerSec: number;
    }
  | { type: 'epochEnd'; record: EpochRecord; epochs: number }
  | { type: 'log'; level: 'info' | 'warn'; message: string }
  | {
      type: 'end';
      status: RunStatus;
      history: EpochRecord[];
      durationMs: number;
      error?: RunFailureRecord;
    };

export type TrainingEventType = TrainingEvent['type'];
