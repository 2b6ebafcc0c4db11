/**
 * Messages between the training host (in main) and a training process. A discriminated union on each side,
 * handled with exhaustive switches; anything else is refused as unsupported.
 */
import type { ErrorCode } from '../../common/contract.js';
import type { BackendInfo, TrainingEvent } from '../../common/training-events.js';
import type { ToolJob, ToolOutput, TrainingJob } from '../service/types.js';

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
