/**
 * Messages between the training host (in main) and a training process. A discriminated union on each side,
 * handled with exhaustive switches; anything else is refused as unsupported.
 */
import type { BackendInfo, TrainingEvent } from '../../common/training-events.js';
import type { TrainingJob } from '../service/types.js';

export type HostMessage = { type: 'train'; job: TrainingJob } | { type: 'stop' } | { type: 'probe' };

export type ProcessMessage =
  | { type: 'event'; event: TrainingEvent }
  | { type: 'probe'; backend: BackendInfo }
  | { type: 'probeFailed'; message: string }
  /** Something failed outside the training loop (dataset, run folder); the process exits after it. */
  | { type: 'fatal'; code: string; message: string };

export function isProcessMessage(value: unknown): value is ProcessMessage {
  if (!value || typeof value !== 'object') return false;
  const type = (value as { type?: unknown }).type;
  return type === 'event' || type === 'probe' || type === 'probeFailed' || type === 'fatal';
}
