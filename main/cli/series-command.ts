/**
 * `layerbench series`: trains an experiment series (a series file, or the built-in `seed-ablation`) into a
 * series folder and writes its report; `series resume <folder>` continues one after any interruption;
 * `layerbench report` writes the report of a series folder or of any run folders.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { kerasPrinter } from '../../common/keras-printer.js';
import { BUILTIN_SERIES, parseSeriesFile, type SeriesFile } from '../../common/series.js';
import { DatasetError } from '../data/dataset.js';
import { loadDataset } from '../data/registry.js';
import { RunError } from '../runs/run-training.js';
import { planExperiments } from '../series/plan-experiments.js';
import { runSeries, type RunStep } from '../series/run-series.js';
import { readSeriesRecord, SERIES_REPORT, SeriesError, writeSeriesRecord, type SeriesRecord } from '../series/series-folder.js';
import { runsReport, seriesReport, writeReport } from '../series/write-report.js';
import { progressBar } from './dataset-command.js';
import { CliError, EXIT } from './exit-codes.js';
import { terminalSink } from './progress.js';
import { engineBackend } from './resume-command.js';

export interface SeriesArgs {
  dataset?: string;
  epochs?: number;
  repeats?: number;
  seed?: number;
  out?: string;
}

async function readSeriesFile(ref: string): Promise<{ series: SeriesFile; source: string; baseDir?: string }> {
  const builtin = BUILTIN_SERIES[ref];
  if (builtin) return { series: builtin, source: ref };
  let json: unknown;
  try {
    json = JSON.parse(await readFile(ref, 'utf8'));
  } catch (e) {
    const why = e instanceof SyntaxError ? `not valid JSON: ${e.message}` : ((e as NodeJS.ErrnoException).code ?? (e as Error).message);
    throw new CliError(`cannot read series file ${ref}: ${why} (built-in series: ${Object.keys(BUILTIN_SERIES).join(', ')})`, EXIT.usage);
  }
  const parsed = parseSeriesFile(json);
  if (!parsed.ok)
    throw new CliError(`series file ${ref} is invalid:\n${parsed.issues.map((i) => `  - ${i.message}`).join('\n')}`, EXIT.usage);
  return { series: parsed.value, source: path.resolve(ref), baseDir: path.dirname(path.resolve(ref)) };
}

async function loadWithProgress(ref: string) {
  const bar = progressBar();
  try {
    return await loadDataset(ref, {
      onProgress: (done, total, phase) => bar.update(done, total ?? 0, `${phase} ${done}${total === null ? '' : `/${total}`}`),
    });
  } catch (e) {
    if (e instanceof DatasetError) throw new CliError(`dataset error: ${e.message}`, EXIT.dataset);
    throw e;
  } finally {
    bar.end();
  }
}

const STEP_WORDS: Record<RunStep, string> = {
  start: 'training',
  resume: 'resuming',
  'skip-finished': 'already finished, kept',
  'skip-failed': 'failed earlier, kept as failed',
};

/** Trains the series folder's remaining runs with Keras-style output, then writes the report. */
async function trainFolder(dir: string): Promise<number> {
  try {
    await readSeriesRecord(dir); // a wrong folder is told before TensorFlow loads
  } catch (e) {
    if (e instanceof SeriesError) throw new CliError(e.message, EXIT.usage);
    throw e;
  }
  const backend = await engineBackend();
  const sink = terminalSink(process.stdout);
  const stop = new AbortController();
  const onSigint = () => {
    if (stop.signal.aborted) process.exit(EXIT.stopped);
    sink.line('Stopping the series at the end of this batch (Ctrl-C again to quit at once)...');
    stop.abort();
  };
  process.on('SIGINT', onSigint);
  let outcome;
  try {
    outcome = await runSeries(
      {
        backend,
        signal: stop.signal,
        onEvent: kerasPrinter(sink),
        loadDataset: loadWithProgress,
        onRun: (entry, index, total, step) =>
          sink.line(`\nRun ${index + 1}/${total} ${entry.group} (seed ${entry.seed}): ${STEP_WORDS[step]}`),
      },
      dir,
    );
  } catch (e) {
    if (e instanceof SeriesError || e instanceof RunError) throw new CliError(e.message, EXIT.usage);
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
  for (const w of outcome.warnings) sink.line(`Warning: ${w}`);
  const written = await writeReport(await seriesReport(dir), path.join(dir, SERIES_REPORT));
  sink.line(
    `Series ${outcome.status}: ${outcome.trained} trained, ${outcome.skipped} kept from before${outcome.failed.length ? `, failed: ${outcome.failed.join(', ')}` : ''}`,
  );
  sink.line(`Report: ${path.join(written.dir, 'report.html')} (and report.md with charts/)`);
  if (outcome.status === 'stopped') {
    sink.line(`Everything trained so far is kept; continue with: layerbench series resume ${dir}`);
    return EXIT.stopped;
  }
  return outcome.failed.length ? EXIT.trainingFailed : EXIT.ok;
}

function defaultSeriesDir(name: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return path.join('series', `${stamp}-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`);
}

export async function seriesCommand(positionals: string[], args: SeriesArgs): Promise<number> {
  if (positionals[0] === 'resume') {
    if (!positionals[1]) throw new CliError('series resume needs the series folder: layerbench series resume series/<folder>', EXIT.usage);
    return trainFolder(path.resolve(positionals[1]));
  }
  const ref = positionals[0];
  if (!ref) throw new CliError(`series needs a series file or a built-in series (${Object.keys(BUILTIN_SERIES).join(', ')})`, EXIT.usage);
  if (!args.dataset) throw new CliError('series needs --dataset REF (for example --dataset mnist)', EXIT.usage);
  const { series, source, baseDir } = await readSeriesFile(ref);
  const withRepeats = args.repeats !== undefined ? { ...series, repeats: args.repeats, seeds: undefined } : series;
  const checked = parseSeriesFile(withRepeats);
  if (!checked.ok) throw new CliError(checked.issues.map((i) => i.message.replace(/^repeats:/, '--repeats:')).join('\n'), EXIT.usage);
  const dataset = await loadWithProgress(args.dataset);
  let plan;
  try {
    plan = await planExperiments(withRepeats, {
      target: { inputShape: dataset.inputShape, numClasses: dataset.classNames.length },
      ...(baseDir ? { baseDir } : {}),
      ...(args.epochs !== undefined ? { epochs: args.epochs } : {}),
      ...(args.seed !== undefined ? { seed: args.seed } : {}),
    });
  } catch (e) {
    if (e instanceof SeriesError) throw new CliError(e.message, EXIT.usage);
    throw e;
  }
  const dir = path.resolve(args.out ?? defaultSeriesDir(series.name));
  const record: SeriesRecord = {
    version: 1,
    name: series.name,
    ...(series.description ? { description: series.description } : {}),
    createdAt: new Date().toISOString(),
    datasetId: args.dataset,
    source,
    plan,
    status: 'running',
  };
  const { existsSync } = await import('node:fs');
  if (existsSync(path.join(dir, 'series.json'))) {
    throw new CliError(`${dir} already holds a series; continue it with: layerbench series resume ${dir}`, EXIT.usage);
  }
  try {
    await writeSeriesRecord(dir, record);
  } catch (e) {
    throw new CliError((e as Error).message, EXIT.io);
  }
  process.stdout.write(`Series ${series.name}: ${plan.length} runs on ${args.dataset} into ${dir}\n`);
  return trainFolder(dir);
}

export async function reportCommand(positionals: string[], args: { out?: string }): Promise<number> {
  if (positionals.length === 0) throw new CliError('report needs a series folder or run folders', EXIT.usage);
  let report;
  let out: string;
  try {
    const { existsSync } = await import('node:fs');
    if (positionals.length === 1 && existsSync(path.join(positionals[0], 'series.json'))) {
      report = await seriesReport(path.resolve(positionals[0]));
      out = args.out ?? path.join(positionals[0], SERIES_REPORT);
    } else {
      report = await runsReport(positionals.map((p) => path.resolve(p)));
      if (!args.out) throw new CliError('a report over run folders needs --out DIR', EXIT.usage);
      out = args.out;
    }
  } catch (e) {
    if (e instanceof SeriesError) throw new CliError(e.message, EXIT.usage);
    throw e;
  }
  const written = await writeReport(report, path.resolve(out));
  process.stdout.write(`Report: ${path.join(written.dir, 'report.html')} (and report.md with charts/)\n`);
  return EXIT.ok;
}
