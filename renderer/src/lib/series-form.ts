/**
 * The Train view's series panel as data: the variants chosen (the model being edited, seed presets, opened
 * spec files) and a small grid of settings typed as lists ("0.001, 0.01"), turned into the series a series
 * file would hold and checked with common/series.ts, so the panel names the same fields the CLI does.
 */
import type { PresetName } from '../../../common/presets.js';
import { parseSeriesFile, planSeries, type SeriesFile, type SeriesVariant } from '../../../common/series.js';
import type { ExperimentSpec, OptimizerName } from '../../../common/spec.js';

export interface SeriesDraft {
  name: string;
  /** The model being edited, as the first variant; null when it is not included. */
  current: { name: string; experiment: ExperimentSpec } | null;
  presets: PresetName[];
  /** Models from opened spec files, by the variant name they get. */
  specs: { name: string; experiment: ExperimentSpec }[];
  learningRates: string;
  batchSizes: string;
  optimizers: OptimizerName[];
  epochs: number | null;
  repeats: number | null;
}

/** The form's labels for the series' fields, so a message says what the person typed into. */
const FIELD_LABELS: [RegExp, string][] = [
  [/^grid\.learningRate/, 'Learning rates'],
  [/^grid\.batchSize/, 'Batch sizes'],
  [/^grid\.optimizer/, 'Optimizers'],
  [/^training\.learningRate/, 'Learning rates'],
  [/^training\.batchSize/, 'Batch sizes'],
  [/^training\.epochs/, 'Epochs'],
  [/^repeats/, 'Repeats'],
  [/^name/, 'Series name'],
  [/^variants/, 'Variants'],
];

export type SeriesCheck = { ok: true; series: SeriesFile; runs: number } | { ok: false; issues: string[] };

function numberList(text: string, label: string, issues: string[]): number[] {
  const parts = text
    .split(/[,;\s]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  const values = parts.map(Number);
  parts.forEach((p, i) => {
    if (!Number.isFinite(values[i])) issues.push(`${label}: "${p}" is not a number`);
  });
  return values;
}

/** A value list of one is a plain setting; two or more are a grid axis (each one its own group). */
function axis<T>(values: T[]): { single?: T; grid?: T[] } {
  if (values.length === 0) return {};
  return values.length === 1 ? { single: values[0] } : { grid: values };
}

export function buildSeries(draft: SeriesDraft): SeriesCheck {
  const issues: string[] = [];
  const lr = axis(numberList(draft.learningRates, 'Learning rates', issues));
  const batch = axis(numberList(draft.batchSizes, 'Batch sizes', issues));
  const opt = axis(draft.optimizers);
  const variants: SeriesVariant[] = [
    ...(draft.current ? [{ name: draft.current.name, experiment: draft.current.experiment }] : []),
    ...draft.presets.map((preset) => ({ name: preset.replace(/^seed-/, ''), preset })),
    ...draft.specs.map((s) => ({ name: s.name, experiment: s.experiment })),
  ];
  if (variants.length === 0) issues.push('Variants: tick the current model, a preset, or add a spec file');
  if (issues.length) return { ok: false, issues };
  const training: Record<string, unknown> = {
    ...(draft.epochs !== null ? { epochs: draft.epochs } : {}),
    ...(lr.single !== undefined ? { learningRate: lr.single } : {}),
    ...(batch.single !== undefined ? { batchSize: batch.single } : {}),
    ...(opt.single !== undefined ? { optimizer: opt.single } : {}),
  };
  const grid = {
    ...(lr.grid ? { learningRate: lr.grid } : {}),
    ...(batch.grid ? { batchSize: batch.grid } : {}),
    ...(opt.grid ? { optimizer: opt.grid } : {}),
  };
  const candidate = {
    name: draft.name.trim(),
    variants,
    training,
    ...(Object.keys(grid).length ? { grid } : {}),
    ...(draft.repeats !== null ? { repeats: draft.repeats } : {}),
  };
  const parsed = parseSeriesFile(candidate);
  if (!parsed.ok) {
    return {
      ok: false,
      issues: parsed.issues.map((i) => {
        const label = FIELD_LABELS.find(([re]) => re.test(i.path))?.[1];
        return label ? `${label} (${i.message})` : i.message;
      }),
    };
  }
  return { ok: true, series: parsed.value, runs: planSeries(parsed.value, 42).length };
}

/** A variant name from a spec file's name: "my net v2.json" → "my net v2". */
export function variantName(fileName: string, taken: string[]): string {
  const stem =
    fileName
      .replace(/\.json$/i, '')
      .replace(/[^A-Za-z0-9 ._+-]+/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 60) || 'spec';
  let name = stem;
  for (let n = 2; taken.includes(name); n++) name = `${stem} ${n}`;
  return name;
}
