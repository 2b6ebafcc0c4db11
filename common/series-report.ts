/**
 * The numbers of a series report, computed from the runs' own records (their epoch histories): per group
 * (variant and grid point) the final and best val_accuracy with the best epoch, the train/val gap, the time
 * per epoch and the parameter count, as mean and spread across repeats; and the mean curves to draw.
 * Pure, so the CLI's files and the app's view show the same numbers.
 */
import type { TrainingSettings } from './spec.js';
import type { EpochRecord } from './training-events.js';

export interface ReportRun {
  /** The run's folder name or id, shown in the per-run table. */
  id: string;
  group: string;
  seed: number;
  status: string;
  totalParams: number;
  history: EpochRecord[];
  /** The settings that differ between groups, in words (e.g. "lr=0.01"); empty when none. */
  settings: string;
}

/** Mean and spread across repeats: the sample standard deviation (0 for a single run), min and max. */
export interface Stat {
  mean: number;
  sd: number;
  min: number;
  max: number;
  n: number;
}

export interface RunRow {
  id: string;
  group: string;
  seed: number;
  status: string;
  epochs: number;
  finalValAccuracy: number | null;
  bestValAccuracy: number | null;
  bestEpoch: number | null;
  /** Final training accuracy minus final val_accuracy: how much the model overfits. */
  gap: number | null;
  msPerEpoch: number | null;
}

export interface GroupRow {
  group: string;
  settings: string;
  runs: number;
  totalParams: number;
  finalValAccuracy: Stat | null;
  bestValAccuracy: Stat | null;
  /** The epoch of the best val_accuracy, per run, in seed order. */
  bestEpochs: number[];
  gap: Stat | null;
  msPerEpoch: Stat | null;
  /** Mean over repeats per epoch (only epochs every repeat reached), for the charts. */
  curves: Record<CurveMetric, { epoch: number; value: number }[]>;
  best: boolean;
}

export const CURVE_METRICS = ['loss', 'accuracy', 'val_loss', 'val_accuracy'] as const;
export type CurveMetric = (typeof CURVE_METRICS)[number];

export interface SeriesReport {
  title: string;
  /** What every run shares (dataset, optimizer, batch size …), in words. */
  subtitle: string;
  groups: GroupRow[];
  runs: RunRow[];
  /** What "best" means in this report, in words. */
  bestBy: string;
}

export function stat(values: number[]): Stat | null {
  if (values.length === 0) return null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, sd: Math.sqrt(variance), min: Math.min(...values), max: Math.max(...values), n: values.length };
}

function runRow(run: ReportRun): RunRow {
  const h = run.history;
  const last = h.at(-1);
  let best: EpochRecord | undefined;
  for (const r of h) if (r.val_accuracy !== undefined && (best === undefined || r.val_accuracy > best.val_accuracy!)) best = r;
  return {
    id: run.id,
    group: run.group,
    seed: run.seed,
    status: run.status,
    epochs: h.length,
    finalValAccuracy: last?.val_accuracy ?? null,
    bestValAccuracy: best?.val_accuracy ?? null,
    bestEpoch: best?.epoch ?? null,
    gap: last?.val_accuracy !== undefined ? last.accuracy - last.val_accuracy : null,
    msPerEpoch: h.length ? h.reduce((a, r) => a + r.durationMs, 0) / h.length : null,
  };
}

function meanCurve(histories: EpochRecord[][], metric: CurveMetric): { epoch: number; value: number }[] {
  const epochs = Math.min(...histories.map((h) => h.length));
  const out: { epoch: number; value: number }[] = [];
  for (let i = 0; i < epochs; i++) {
    const values = histories.map((h) => h[i][metric]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (values.length === histories.length)
      out.push({ epoch: histories[0][i].epoch, value: values.reduce((a, b) => a + b, 0) / values.length });
  }
  return out;
}

const defined = (values: (number | null)[]) => values.filter((v): v is number => v !== null);

/** Groups keep the order of their first run; the best group has the highest mean final val_accuracy. */
export function buildReport(title: string, runs: ReportRun[], subtitle = ''): SeriesReport {
  const rows = runs.map(runRow);
  const groupNames = [...new Set(runs.map((r) => r.group))];
  const groups: GroupRow[] = groupNames.map((group) => {
    const members = runs.filter((r) => r.group === group);
    const memberRows = rows.filter((r) => r.group === group);
    const histories = members.map((m) => m.history).filter((h) => h.length > 0);
    const curves = Object.fromEntries(CURVE_METRICS.map((m) => [m, histories.length ? meanCurve(histories, m) : []])) as GroupRow['curves'];
    return {
      group,
      settings: members[0].settings,
      runs: members.length,
      totalParams: members[0].totalParams,
      finalValAccuracy: stat(defined(memberRows.map((r) => r.finalValAccuracy))),
      bestValAccuracy: stat(defined(memberRows.map((r) => r.bestValAccuracy))),
      bestEpochs: defined(memberRows.map((r) => r.bestEpoch)),
      gap: stat(defined(memberRows.map((r) => r.gap))),
      msPerEpoch: stat(defined(memberRows.map((r) => r.msPerEpoch))),
      curves,
      best: false,
    };
  });
  let best: GroupRow | undefined;
  for (const g of groups) if (g.finalValAccuracy && (!best || g.finalValAccuracy.mean > best.finalValAccuracy!.mean)) best = g;
  if (best) best.best = true;
  return { title, subtitle, groups, runs: rows, bestBy: 'highest mean final val_accuracy' };
}

/** "0.7790 ± 0.0042" (mean ± sample standard deviation), or just the value for one run. */
export function formatStat(s: Stat | null, digits = 4): string {
  if (!s) return '–';
  return s.n > 1 ? `${s.mean.toFixed(digits)} ± ${s.sd.toFixed(digits)}` : s.mean.toFixed(digits);
}

/** The training settings every run shares, in words; settings that vary are left to the table. */
export function sharedSettings(all: TrainingSettings[]): string {
  const same = <K extends keyof TrainingSettings>(key: K) => all.every((t) => JSON.stringify(t[key]) === JSON.stringify(all[0][key]));
  if (all.length === 0) return '';
  const t = all[0];
  const parts: string[] = [];
  if (same('optimizer')) parts.push(`optimizer ${t.optimizer}`);
  if (same('learningRate')) parts.push(`learning rate ${t.learningRate}`);
  if (same('batchSize')) parts.push(`batch size ${t.batchSize}`);
  if (same('epochs')) parts.push(`${t.epochs} epochs`);
  if (same('validationSplit')) parts.push(`validation split ${t.validationSplit}`);
  if (same('seed')) parts.push(`seed ${t.seed}`);
  return parts.length ? `Every run: ${parts.join(', ')}.` : '';
}
