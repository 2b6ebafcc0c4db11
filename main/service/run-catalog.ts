/**
 * The runs folder as the UI sees it: the run store's listings (main/runs) mapped onto the contract's
 * RunSummary / RunDetails, with the evaluation report and its images attached for one run. The store already
 * tolerates what a crash leaves behind (a cut-off epoch line is reported as a problem, a run whose process is
 * gone is interrupted); here an interrupted run, or one the host marked as crashed, is `crashed`.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { RUN_ID_PATTERN, type EvaluationReport, type RunDetails, type RunState, type RunSummary } from '../../common/contract.js';
import { summarize } from '../../common/summarize.js';
import type { EpochRecord } from '../../common/training-events.js';
import { RUN_FILES } from '../runs/run-folder.js';
import { parseEpochLog } from '../runs/epoch-log.js';
import { listRuns, openRun, type RunListing } from '../runs/run-store.js';
import { processDied } from '../../common/run-failures.js';

function stateOf(listing: RunListing, active: boolean): RunState {
  switch (listing.state) {
    case 'running':
      return 'running';
    case 'interrupted':
      return active ? 'running' : 'crashed';
    case 'unreadable':
      return 'failed';
    case 'failed':
      return listing.error && processDied(listing.error.code) ? 'crashed' : 'failed';
    case 'finished':
    case 'stopped':
      return listing.state;
    default:
      throw new Error(`Unsupported run state ${String(listing.state satisfies never)}`);
  }
}

export class RunCatalog {
  constructor(
    readonly runsDir: string,
    private readonly isActive: (runId: string) => boolean,
  ) {}

  runDir(runId: string): string {
    if (!RUN_ID_PATTERN.test(runId)) throw new Error(`not a run id: ${runId}`);
    return path.join(this.runsDir, runId);
  }

  async exists(runId: string): Promise<boolean> {
    try {
      await openRun(this.runDir(runId));
      return true;
    } catch {
      return false;
    }
  }

  async hasModel(runId: string): Promise<boolean> {
    return (await this.details(runId))?.hasModel ?? false;
  }

  async list(): Promise<RunSummary[]> {
    const listings = (await listRuns(this.runsDir)).filter((l) => RUN_ID_PATTERN.test(l.id));
    // The best val_accuracy is the runs table's main column: taken from each epoch log (small files).
    return Promise.all(
      listings.map(async (l) => {
        const file = path.join(l.dir, RUN_FILES.epochs);
        const history = parseEpochLog(await readFile(file, 'utf8').catch(() => ''), file).history;
        return this.toSummary(l, null, bestValAccuracy(history));
      }),
    );
  }

  async details(runId: string): Promise<RunDetails | null> {
    let opened;
    try {
      opened = await openRun(this.runDir(runId));
    } catch {
      return null;
    }
    const info = opened.info;
    const summary = this.toSummary(opened, info?.experiment ?? null, bestValAccuracy(opened.history));
    if (!info) {
      return {
        ...summary,
        experiment: { model: { inputShape: [1, 1, 1], layers: [] }, training: {} as never },
        history: opened.history,
        classNames: [],
        inputShape: [1, 1, 1],
        dir: opened.dir,
        logTail: opened.logTail,
        resumes: opened.resumes,
      };
    }
    const evaluation = await this.evaluation(runId);
    return {
      ...summary,
      experiment: info.experiment,
      history: opened.history,
      classNames: info.dataset.classNames,
      inputShape: info.dataset.inputShape as [number, number, number],
      dir: opened.dir,
      logTail: opened.logTail,
      resumes: opened.resumes,
      ...(evaluation ? { evaluation } : {}),
    };
  }

  /** The run's evaluation/evaluation.json with its misclassified images as data URLs, if it was evaluated. */
  async evaluation(runId: string): Promise<EvaluationReport | null> {
    return readEvaluation(this.runDir(runId));
  }

  async remove(runId: string): Promise<void> {
    await rm(this.runDir(runId), { recursive: true, force: true });
  }

  private toSummary(l: RunListing, experiment: RunDetails['experiment'] | null, bestVal: number | undefined): RunSummary {
    const active = this.isActive(l.id);
    let totalParams: number | undefined;
    try {
      if (experiment) totalParams = summarize(experiment.model).totalParams;
    } catch {
      totalParams = undefined;
    }
    const problemsText = l.problems.map((p) => p.message).join('; ');
    const error = l.error ?? (l.state === 'unreadable' ? { code: 'UNREADABLE', message: problemsText } : undefined);
    return {
      runId: l.id,
      name: l.name,
      createdAt: l.createdAt,
      status: stateOf(l, active),
      active,
      ...(l.preset ? { preset: l.preset } : {}),
      datasetId: l.datasetId ?? '',
      datasetName: l.datasetName ?? '',
      epochsPlanned: l.epochsPlanned ?? 0,
      epochsDone: l.epochsDone,
      ...(l.last ? { last: l.last } : {}),
      ...(bestVal !== undefined ? { bestValAccuracy: bestVal } : {}),
      ...(totalParams !== undefined ? { totalParams } : {}),
      ...(l.durationMs !== undefined ? { durationMs: l.durationMs } : {}),
      ...(l.backend ? { backend: l.backend } : {}),
      hasModel: l.hasModel,
      ...(error ? { error } : {}),
      resumable: l.resumable && !active,
      ...(l.best ? { best: l.best } : {}),
      ...(l.stoppedEarly ? { stoppedEarly: l.stoppedEarly } : {}),
      problems: l.problems,
      ...(l.series ? { series: { seriesId: path.basename(l.series.dir), key: l.series.key, group: l.series.group } } : {}),
    };
  }
}

function bestValAccuracy(history: EpochRecord[]): number | undefined {
  const values = history.map((h) => h.val_accuracy).filter((v): v is number => typeof v === 'number');
  return values.length ? Math.max(...values) : undefined;
}

/**
 * `<folder>/evaluation/evaluation.json` (a run's, or an imported model's) with its misclassified images as
 * data URLs; null when the folder's model was never evaluated.
 */
export async function readEvaluation(folder: string): Promise<EvaluationReport | null> {
  const dir = path.join(folder, RUN_FILES.evaluation);
  let raw: Omit<EvaluationReport, 'misclassified' | 'perClass'> & {
    images: string[];
    misclassified: Omit<EvaluationReport['misclassified'][number], 'dataUrl'>[];
    perClass: (Omit<EvaluationReport['perClass'][number], 'precision'> & { precision: number | null })[];
  };
  try {
    raw = JSON.parse(await readFile(path.join(dir, 'evaluation.json'), 'utf8'));
  } catch {
    return null;
  }
  const misclassified = await Promise.all(
    raw.misclassified.map(async (m, i) => {
      const name = raw.images[i];
      // Image names come from the report: only plain relative names inside evaluation/ are read.
      const safe = typeof name === 'string' && !name.split(/[\\/]/).includes('..') && !path.isAbsolute(name);
      const png = safe ? await readFile(path.join(dir, name)).catch(() => null) : null;
      return { ...m, dataUrl: png ? `data:image/png;base64,${png.toString('base64')}` : null };
    }),
  );
  return {
    set: raw.set,
    setDescription: raw.setDescription,
    model: raw.model,
    count: raw.count,
    loss: raw.loss,
    accuracy: raw.accuracy,
    classNames: raw.classNames,
    confusion: raw.confusion,
    // NaN does not survive JSON (it is written as null): keep null as "nothing predicted as this class".
    perClass: raw.perClass.map((c) => ({
      ...c,
      precision: typeof c.precision === 'number' && Number.isFinite(c.precision) ? c.precision : null,
    })),
    misclassified,
    warnings: raw.warnings ?? [],
    evaluatedAt: raw.evaluatedAt,
  };
}
