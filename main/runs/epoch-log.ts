/**
 * Reads epochs.jsonl tolerantly: every good line is kept, every bad one (a line cut off by a crash, a
 * corrupted byte) is reported with its line number and text, never silently dropped and never fatal.
 * A resume marker drops the epochs after the checkpoint the run resumed from: those are trained again.
 */
import type { EpochRecord } from '../../common/training-events.js';

export interface StoreProblem {
  file: string;
  /** 1-based line number, where the problem is a line. */
  line?: number;
  /** The start of the offending text, for the user to recognise. */
  text?: string;
  message: string;
}

export interface EpochLog {
  history: EpochRecord[];
  resumes: { fromEpoch: number; at: string }[];
  problems: StoreProblem[];
}

const METRICS = ['loss', 'accuracy', 'val_loss', 'val_accuracy'] as const;

/** Checks one parsed line; JSON writes NaN as null, so null metrics read back as NaN. */
function asRecord(value: unknown): EpochRecord | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not an object';
  const v = value as Record<string, unknown>;
  if (!Number.isInteger(v.epoch) || (v.epoch as number) < 1) return 'no valid "epoch" number';
  const record = { ...v } as Record<string, unknown>;
  for (const key of METRICS) {
    if (record[key] === null) record[key] = NaN;
    else if (record[key] !== undefined && typeof record[key] !== 'number') return `"${key}" is not a number`;
  }
  if (typeof record.loss !== 'number') return 'no "loss"';
  return record as unknown as EpochRecord;
}

export function parseEpochLog(text: string, file: string): EpochLog {
  const byEpoch = new Map<number, EpochRecord>();
  const resumes: EpochLog['resumes'] = [];
  const problems: StoreProblem[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const where = { file, line: i + 1, text: line.length > 80 ? line.slice(0, 80) + '…' : line };
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      const cutOff = i === lines.length - 1 || (i === lines.length - 2 && lines[lines.length - 1] === '');
      problems.push({ ...where, message: cutOff ? 'the last line is incomplete (the run was cut off while writing it)' : 'this line is not valid JSON' });
      return;
    }
    const marker = (parsed as { resumed?: { fromEpoch?: unknown; at?: unknown } } | null)?.resumed;
    if (marker && Number.isInteger(marker.fromEpoch)) {
      const fromEpoch = marker.fromEpoch as number;
      resumes.push({ fromEpoch, at: String(marker.at ?? '') });
      for (const epoch of [...byEpoch.keys()]) if (epoch > fromEpoch) byEpoch.delete(epoch);
      return;
    }
    const record = asRecord(parsed);
    if (typeof record === 'string') {
      problems.push({ ...where, message: `not an epoch record: ${record}` });
      return;
    }
    if (byEpoch.has(record.epoch)) problems.push({ ...where, message: `epoch ${record.epoch} is recorded twice; the later line is used` });
    byEpoch.set(record.epoch, record);
  });
  const history = [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
  const gaps = history.filter((r, k) => r.epoch !== k + 1);
  if (gaps.length > 0) problems.push({ file, message: `epochs are missing before epoch ${gaps[0].epoch}` });
  return { history, resumes, problems };
}
