/**
 * A series folder: `series.json` (the plan, with every run's full experiment, so resuming needs nothing but
 * the folder), `runs/<key>/` (ordinary run folders), and `report/` once written.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PlannedRun } from '../../common/series.js';
import type { ExperimentSpec } from '../../common/spec.js';
import { mkdir } from 'node:fs/promises';
import { replaceFile } from '../platform/replace-file.js';

export const SERIES_JSON = 'series.json';
export const SERIES_RUNS = 'runs';
export const SERIES_REPORT = 'report';

export interface SeriesPlanEntry extends PlannedRun {
  experiment: ExperimentSpec;
  preset?: string;
  /** Relative to the series folder. */
  runDir: string;
}

export type SeriesStatus = 'running' | 'finished' | 'stopped' | 'failed';

export interface SeriesRecord {
  version: 1;
  name: string;
  description?: string;
  createdAt: string;
  datasetId: string;
  /** Where the plan came from: a series file's path, or a built-in series' name. */
  source: string;
  plan: SeriesPlanEntry[];
  status: SeriesStatus;
  finishedAt?: string;
}

export class SeriesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeriesError';
  }
}

export async function writeSeriesRecord(dir: string, record: SeriesRecord): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await replaceFile(path.join(dir, SERIES_JSON), JSON.stringify(record, null, 2) + '\n');
  } catch (e) {
    throw new SeriesError((e as Error).message);
  }
}

export async function readSeriesRecord(dir: string): Promise<SeriesRecord> {
  const file = path.join(dir, SERIES_JSON);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SeriesError(code === 'ENOENT' ? `${dir} is not a series folder (it has no ${SERIES_JSON})` : `cannot read ${file}: ${code}`);
  }
  let record: SeriesRecord;
  try {
    record = JSON.parse(text) as SeriesRecord;
  } catch (e) {
    throw new SeriesError(`${file} is damaged (not JSON: ${(e as Error).message})`);
  }
  if (record.version !== 1 || !Array.isArray(record.plan) || typeof record.datasetId !== 'string') {
    throw new SeriesError(`${file} is not a series record this version of Layerbench understands`);
  }
  return record;
}

export function runDirOf(seriesDir: string, entry: SeriesPlanEntry): string {
  return path.join(seriesDir, entry.runDir);
}
