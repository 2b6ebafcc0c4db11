/** The comparison table's numbers for one run, from its epoch history. */
import type { EpochRecord } from '../../../common/training-events.js';

export interface CompareRow {
  finalVal?: number;
  bestVal?: number;
  bestEpoch?: number;
  /** Final training accuracy minus final validation accuracy: positive when the model overfits. */
  gap?: number;
  msPerEpoch?: number;
}

export function compareRow(history: EpochRecord[]): CompareRow {
  const last = history.at(-1);
  let best: EpochRecord | undefined;
  for (const e of history)
    if (e.val_accuracy !== undefined && (best?.val_accuracy === undefined || e.val_accuracy > best.val_accuracy)) best = e;
  const ms = history.length > 0 ? history.reduce((a, e) => a + e.durationMs, 0) / history.length : undefined;
  return {
    finalVal: last?.val_accuracy,
    bestVal: best?.val_accuracy,
    bestEpoch: best?.epoch,
    gap: last && last.val_accuracy !== undefined ? last.accuracy - last.val_accuracy : undefined,
    msPerEpoch: ms,
  };
}
