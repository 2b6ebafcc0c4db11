/**
 * Trains a series folder's plan in this process (the CLI's way), through the shared loop in series-loop.ts:
 * the dataset is loaded once, each run goes through runs/ like `layerbench train` and `resume`.
 */
import type { Dataset } from '../data/dataset.js';
import { resumeRun } from '../runs/resume-run.js';
import { startRun, type RunContext, type RunOutcome } from '../runs/run-training.js';
import type { SeriesPlanEntry } from './series-folder.js';
import { trainSeriesFolder, type RunStep, type SeriesOutcome } from './series-loop.js';

export type { RunStep, SeriesOutcome } from './series-loop.js';

export interface SeriesContext extends RunContext {
  loadDataset: (id: string) => Promise<Dataset>;
  /** Before each run of the plan, with what will happen to it. */
  onRun?: (entry: SeriesPlanEntry, index: number, total: number, step: RunStep) => void;
}

export async function runSeries(ctx: SeriesContext, seriesDir: string): Promise<SeriesOutcome> {
  let dataset: Dataset | null = null;
  return trainSeriesFolder(
    seriesDir,
    {
      async train({ entry, runDir, step, record, seriesDir }) {
        dataset ??= await ctx.loadDataset(record.datasetId);
        const loaded = dataset;
        let run: RunOutcome;
        if (step === 'resume') {
          run = await resumeRun(ctx, { dir: runDir, loadDataset: async () => loaded });
        } else {
          run = await startRun(ctx, {
            dir: runDir,
            experiment: entry.experiment,
            dataset: loaded,
            name: `${record.name}: ${entry.group} (seed ${entry.seed})`,
            ...(entry.preset ? { preset: entry.preset } : {}),
            series: { dir: seriesDir, key: entry.key, group: entry.group },
          });
        }
        return { status: run.status, warnings: run.warnings };
      },
    },
    { ...(ctx.signal ? { signal: ctx.signal } : {}), ...(ctx.onRun ? { onRun: ctx.onRun } : {}) },
  );
}
