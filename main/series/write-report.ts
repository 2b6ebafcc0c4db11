/**
 * Builds a report from run folders on disk (a series' plan, or any runs the user names) and writes it as
 * report.html (self-contained), report.md with charts/*.png beside it, and report.json (the numbers).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { reportCharts, reportHtml, reportMarkdown } from '../../common/report-documents.js';
import { settingsLabel } from '../../common/series.js';
import { buildReport, sharedSettings, type ReportRun, type SeriesReport } from '../../common/series-report.js';
import { summarize } from '../../common/summarize.js';
import type { ExperimentSpec } from '../../common/spec.js';
import { replaceFile } from '../platform/replace-file.js';
import { RUN_FILES, type RunInfo } from '../runs/run-folder.js';
import { openRun } from '../runs/run-store.js';
import { readSeriesRecord, runDirOf, SeriesError } from './series-folder.js';

function paramsOf(experiment: ExperimentSpec, numClasses: number | undefined): number {
  const s = summarize(experiment.model, numClasses ? { numClasses } : {});
  return s.ok ? s.totalParams : 0;
}

/** The report of a series folder: every planned run, trained or not (an untrained run shows 0 epochs). */
export async function seriesReport(seriesDir: string): Promise<SeriesReport> {
  const record = await readSeriesRecord(seriesDir);
  const runs: ReportRun[] = [];
  for (const entry of record.plan) {
    const dir = runDirOf(seriesDir, entry);
    const opened = existsSync(path.join(dir, RUN_FILES.info)) ? await openRun(dir) : null;
    runs.push({
      id: entry.key,
      group: entry.group,
      seed: entry.seed,
      status: opened ? opened.state : 'not started',
      totalParams: paramsOf(entry.experiment, opened?.info?.dataset.classNames.length),
      history: opened?.history ?? [],
      settings: settingsLabel(entry.settings),
    });
  }
  return buildReport(`Series ${record.name} on ${record.datasetId}`, runs, sharedSettings(record.plan.map((e) => e.experiment.training)));
}

/** A report over any run folders: runs with the same name form a group (their repeats). */
export async function runsReport(runDirs: string[], title = 'Runs compared'): Promise<SeriesReport> {
  const runs: ReportRun[] = [];
  const infos: RunInfo[] = [];
  for (const dir of runDirs) {
    if (!existsSync(path.join(dir, RUN_FILES.info))) throw new SeriesError(`${dir} is not a run folder (it has no ${RUN_FILES.info})`);
    const opened = await openRun(dir);
    if (!opened.info) throw new SeriesError(`cannot read ${dir}: ${opened.problems.map((p) => p.message).join('; ')}`);
    const info = opened.info;
    infos.push(info);
    runs.push({
      id: path.basename(dir),
      group: info.series?.group ?? info.name,
      seed: info.experiment.training.seed,
      status: opened.state,
      totalParams: paramsOf(info.experiment, info.dataset.classNames.length),
      history: opened.history,
      settings: '',
    });
  }
  return buildReport(title, runs, sharedSettings(infos.map((i) => i.experiment.training)));
}

export interface WrittenReport {
  dir: string;
  files: string[];
}

export async function writeReport(report: SeriesReport, outDir: string): Promise<WrittenReport> {
  const charts = path.join(outDir, 'charts');
  await mkdir(charts, { recursive: true });
  const files: string[] = [];
  const put = async (file: string, data: string | Buffer) => {
    await replaceFile(file, data);
    files.push(file);
  };
  for (const { metric, svg } of reportCharts(report)) {
    await put(path.join(charts, `${metric}.png`), await sharp(Buffer.from(svg)).png().toBuffer());
  }
  await put(
    path.join(outDir, 'report.md'),
    reportMarkdown(report, (m) => `charts/${m}.png`),
  );
  await put(path.join(outDir, 'report.html'), reportHtml(report));
  await put(path.join(outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  return { dir: outDir, files };
}
