/**
 * The comparison report of the runs ticked in the Runs view: the same numbers `layerbench report` writes
 * (common/series-report.ts over the runs' own epoch histories), and its charts as PNG for the Markdown export.
 */
import type { RunDetails } from '../../../common/contract.js';
import { buildReport, sharedSettings, type ReportRun, type SeriesReport } from '../../../common/series-report.js';
import { summarize } from '../../../common/summarize.js';

/** The run's own parameter count, else counted from its model spec as the CLI does. */
function paramsOf(run: RunDetails): number {
  if (run.totalParams !== undefined) return run.totalParams;
  const s = summarize(run.experiment.model, { numClasses: run.classNames.length });
  return s.ok ? s.totalParams : 0;
}

/** Runs with the same name, or of the same series group, form one variant (their repeats), as in `layerbench report`. */
export function reportOfRuns(runs: RunDetails[], title = 'Runs compared'): SeriesReport {
  const reportRuns: ReportRun[] = runs.map((r) => ({
    id: r.runId,
    group: r.series?.group ?? r.name,
    seed: r.experiment.training.seed,
    status: r.status,
    totalParams: paramsOf(r),
    history: r.history,
    settings: '',
  }));
  return buildReport(title, reportRuns, sharedSettings(runs.map((r) => r.experiment.training)));
}

/** Draws an SVG (with its own width and height) on a white canvas and answers a PNG data URL. */
export async function svgToPng(svg: string): Promise<string> {
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('this browser cannot draw on a canvas');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(img, 0, 0);
  return canvas.toDataURL('image/png');
}
