/**
 * Turns a series file into the experiments it trains: each variant's model (a preset adapted to the dataset,
 * a spec file relative to the series file, or a model written in the series) with the series' settings, the variant's, the grid point's and
 * the seed, validated so an error names the variant and field before anything trains.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { preset, type PresetTarget } from '../../common/presets.js';
import { formatIssues, validateExperiment, validateTraining } from '../../common/schema.js';
import { planSeries, type SeriesFile, type SeriesVariant } from '../../common/series.js';
import type { ExperimentSpec } from '../../common/spec.js';
import { SERIES_RUNS, SeriesError, type SeriesPlanEntry } from './series-folder.js';

export interface PlanOptions {
  /** The series file's folder, for variants' spec paths (absent for built-in series). */
  baseDir?: string;
  target: PresetTarget;
  /** Overrides from the command line, over everything in the file. */
  epochs?: number;
  seed?: number;
}

async function variantExperiment(variant: SeriesVariant, index: number, options: PlanOptions): Promise<ExperimentSpec> {
  if (variant.preset) return preset(variant.preset, options.target);
  if (variant.experiment) return variant.experiment;
  const file = path.resolve(options.baseDir ?? '.', variant.spec!);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    const why = e instanceof SyntaxError ? `not valid JSON: ${e.message}` : ((e as NodeJS.ErrnoException).code ?? (e as Error).message);
    throw new SeriesError(`variants[${index}] "${variant.name}": cannot read spec file ${file}: ${why}`);
  }
  const checked = validateExperiment(json);
  if (!checked.ok)
    throw new SeriesError(`variants[${index}] "${variant.name}": spec file ${file} is invalid:\n${formatIssues(checked.issues)}`);
  return checked.value;
}

export async function planExperiments(series: SeriesFile, options: PlanOptions): Promise<SeriesPlanEntry[]> {
  const models = await Promise.all(series.variants.map((v, i) => variantExperiment(v, i, options)));
  const baseSeed = options.seed ?? (typeof series.training?.seed === 'number' ? series.training.seed : 42);
  return planSeries(series, baseSeed).map((run) => {
    const index = series.variants.findIndex((v) => v.name === run.variant);
    const variant = series.variants[index];
    const base = models[index];
    const merged = {
      ...base.training,
      ...series.training,
      ...variant.training,
      ...run.settings,
      ...(options.epochs !== undefined ? { epochs: options.epochs } : {}),
      seed: run.seed,
    };
    const checked = validateTraining(merged);
    if (!checked.ok) {
      throw new SeriesError(`variants[${index}] "${variant.name}": invalid training settings:\n${formatIssues(checked.issues)}`);
    }
    return {
      ...run,
      experiment: { model: { ...base.model, name: variant.name }, training: checked.value },
      ...(variant.preset ? { preset: variant.preset } : {}),
      runDir: path.join(SERIES_RUNS, run.key),
    };
  });
}
