/**
 * An experiment series: several variants (presets or spec files) trained under the same settings, optionally
 * over a grid of training settings and with repeats (one seed each), compared in one report. The series file
 * is JSON, validated here with every error naming the field; `planSeries` expands it into the list of runs.
 */
import { z } from 'zod';
import { PRESET_NAMES, type PresetName } from './presets.js';
import { validateExperiment } from './schema.js';
import { OPTIMIZERS, type ExperimentSpec, type TrainingSettings } from './spec.js';

const MAX_RUNS = 200;
const name = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._+-]*$/, 'letters, digits, space and . _ + - only, starting with a letter or digit');
const positiveInts = z.array(z.number().int().min(1).max(100_000)).min(1).max(20);

const variantSchema = z
  .strictObject({
    name,
    preset: z.enum(PRESET_NAMES).optional(),
    /** A spec file, relative to the series file. */
    spec: z.string().min(1).max(4096).optional(),
    /** The model written out in the series itself (the app sends the model being edited this way). */
    experiment: z.unknown().optional(),
    /** Training settings for this variant only (over the series' own). */
    training: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((v) => [v.preset, v.spec, v.experiment].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of "preset", "spec" or "experiment"',
  });

const gridSchema = z.strictObject({
  learningRate: z.array(z.number().positive().max(10)).min(1).max(20).optional(),
  batchSize: positiveInts.optional(),
  optimizer: z.array(z.enum(OPTIMIZERS)).min(1).max(3).optional(),
  epochs: positiveInts.optional(),
});

export const seriesFileSchema = z.strictObject({
  name,
  description: z.string().max(2000).optional(),
  variants: z.array(variantSchema).min(1).max(50),
  /** Training settings every variant shares (missing fields: Layerbench's defaults, the seed experiment's). */
  training: z.record(z.string(), z.unknown()).optional(),
  /** Every combination of these settings is trained for every variant. */
  grid: gridSchema.optional(),
  /** Each combination is trained this many times, with seeds seed, seed+1, … */
  repeats: z.number().int().min(1).max(20).optional(),
  /** Explicit seeds, one run each (instead of repeats). */
  seeds: z.array(z.number().int().min(0).max(2_147_483_647)).min(1).max(20).optional(),
});

type ParsedSeries = z.infer<typeof seriesFileSchema>;
/** A series after parseSeriesFile: an inline `experiment` has been validated as a spec. */
export type SeriesVariant = Omit<ParsedSeries['variants'][number], 'experiment'> & { experiment?: ExperimentSpec };
export type SeriesFile = Omit<ParsedSeries, 'variants'> & { variants: SeriesVariant[] };
export type GridSettings = Partial<Pick<TrainingSettings, 'learningRate' | 'batchSize' | 'optimizer' | 'epochs'>>;

export interface SeriesIssue {
  path: string;
  message: string;
}

export type SeriesParse = { ok: true; value: SeriesFile } | { ok: false; issues: SeriesIssue[] };

export function parseSeriesFile(input: unknown): SeriesParse {
  const parsed = seriesFileSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((i) => {
        const path = i.path
          .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
          .join('')
          .replace(/^\./, '');
        return { path, message: `${path || 'series'}: ${i.message}` };
      }),
    };
  }
  const specIssues: SeriesIssue[] = [];
  const variants: SeriesVariant[] = parsed.data.variants.map(({ experiment, ...v }, i) => {
    if (experiment === undefined) return v;
    const checked = validateExperiment(experiment);
    if (checked.ok) return { ...v, experiment: checked.value };
    for (const issue of checked.issues) {
      specIssues.push({ path: `variants[${i}].experiment.${issue.path}`, message: `variants[${i}] "${v.name}": ${issue.message}` });
    }
    return v;
  });
  if (specIssues.length) return { ok: false, issues: specIssues };
  const series: SeriesFile = { ...parsed.data, variants };
  const names = series.variants.map((v) => v.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) return { ok: false, issues: [{ path: 'variants', message: `variants: the name "${duplicate}" is used twice` }] };
  const runs = series.variants.length * gridCombinations(series.grid).length * (series.seeds?.length ?? series.repeats ?? 1);
  if (runs > MAX_RUNS) {
    return { ok: false, issues: [{ path: 'variants', message: `the series would train ${runs} runs; at most ${MAX_RUNS} are allowed` }] };
  }
  return { ok: true, value: series };
}

/** The seed experiment's ablation: the four seed presets, the same seed, 10 epochs each. */
export const SEED_ABLATION: SeriesFile = {
  name: 'seed-ablation',
  description: 'The seed CNN, then + Dropout, + BatchNormalization, and both, trained under the same settings.',
  variants: (['seed-baseline', 'seed-dropout', 'seed-batchnorm', 'seed-both'] as PresetName[]).map((preset) => ({
    name: preset.replace(/^seed-/, ''),
    preset,
  })),
  training: { epochs: 10 },
};

export const BUILTIN_SERIES: Record<string, SeriesFile> = { 'seed-ablation': SEED_ABLATION };

function gridCombinations(grid: SeriesFile['grid']): GridSettings[] {
  let combos: GridSettings[] = [{}];
  for (const key of ['optimizer', 'learningRate', 'batchSize', 'epochs'] as const) {
    const values = grid?.[key] as (string | number)[] | undefined;
    if (!values) continue;
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  return combos;
}

/** A grid point in words, e.g. "lr=0.01 batch=64"; empty for the series' plain settings. */
export function settingsLabel(settings: GridSettings): string {
  const parts: string[] = [];
  if (settings.optimizer !== undefined) parts.push(settings.optimizer);
  if (settings.learningRate !== undefined) parts.push(`lr=${settings.learningRate}`);
  if (settings.batchSize !== undefined) parts.push(`batch=${settings.batchSize}`);
  if (settings.epochs !== undefined) parts.push(`epochs=${settings.epochs}`);
  return parts.join(' ');
}

export interface PlannedRun {
  /** Unique within the series and safe as a folder name, e.g. "02-dropout-lr=0.01-seed43". */
  key: string;
  variant: string;
  /** The grid point this run trains (empty without a grid). */
  settings: GridSettings;
  /** The group a report aggregates over: variant and grid point, across seeds. */
  group: string;
  seed: number;
  repeat: number;
}

/** Expands a series into its runs, in the order they train: variant by variant, grid point, then seed. */
export function planSeries(series: SeriesFile, baseSeed: number): PlannedRun[] {
  const seeds = series.seeds ?? Array.from({ length: series.repeats ?? 1 }, (_, i) => baseSeed + i);
  const plan: PlannedRun[] = [];
  for (const variant of series.variants) {
    for (const settings of gridCombinations(series.grid)) {
      const label = settingsLabel(settings);
      const group = label ? `${variant.name} ${label}` : variant.name;
      seeds.forEach((seed, repeat) => {
        const index = String(plan.length + 1).padStart(2, '0');
        const key = `${index}-${group}-seed${seed}`.replace(/[^A-Za-z0-9._=+-]+/g, '-');
        plan.push({ key, variant: variant.name, settings, group, seed, repeat });
      });
    }
  }
  return plan;
}
