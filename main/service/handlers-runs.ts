/** Training, runs, and the model of a run: start/stop, list/get/delete, save and export. */
import { cp, mkdir, readdir, stat } from 'node:fs/promises';
import { replaceWith } from '../platform/replace-file.js';
import path from 'node:path';
import { fail, ok, type EvaluationReport, type Picked, type Result, type SaveResult } from '../../common/contract.js';
import { summarize } from '../../common/summarize.js';
import { repeatsOnResume } from '../../common/run-failures.js';
import { EXPORT_EXTENSIONS, ExportError, exportModel } from '../export/export-run.js';
import { ExportTargetError } from '../export/export-target.js';
import { RUN_FILES } from '../runs/run-folder.js';
import type { DatasetCatalog } from './dataset-catalog.js';
import { newRunId, safeSegment, type DataLayout } from './data-dir.js';
import { downloadLinks } from './downloads.js';
import type { Handlers } from './handler-types.js';
import { importDatasetMismatch, readImport, weightsMismatch } from './imports.js';
import { readEvaluation, type RunCatalog } from './run-catalog.js';
import type { TrainingJob } from '../host/protocol.js';
import type { ServiceDeps } from './types.js';

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** `base`, or `base-2`, `base-3`... whichever does not exist yet: saving never overwrites earlier work. */
async function freshPath(base: string, ext = ''): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? `${base}${ext}` : `${base}-${n}${ext}`;
    if (!(await exists(candidate))) return candidate;
  }
}

async function listFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).map((f) => path.join(dir, f));
}

export function runHandlers(
  deps: ServiceDeps,
  layout: DataLayout,
  runs: RunCatalog,
  datasets: DatasetCatalog,
  /** Why no single run may start now (a series is training between its runs), or null. */
  seriesBusy: () => string | null = () => null,
): Handlers<
  | 'training:start'
  | 'training:resume'
  | 'training:stop'
  | 'runs:list'
  | 'runs:get'
  | 'runs:delete'
  | 'runs:evaluate'
  | 'model:save'
  | 'model:export'
> {
  const notFound = (runId: string) => fail('NOT_FOUND', `no run "${runId}" in ${layout.runs}`);
  // Without dialogs (browser mode) files land in the data folder on the server: offer them for download too.
  const browserDownloads = (files: string[]) => (deps.dialogs ? {} : { downloads: downloadLinks(layout, files) });
  /** The last export target refused with forceAllows: a `force` resend for the same run and format writes there without asking again. */
  let refused: { runId: string; format: string; path: string } | null = null;

  /** An imported model on a dataset of the catalog; the report is written in the import's folder. */
  async function evaluateImport(importId: string, datasetId: string): Promise<Result<EvaluationReport>> {
    const imported = await readImport(layout.imports, importId);
    if (!imported) return fail('NOT_FOUND', `no imported model "${importId}" in ${layout.imports}; import it again (model:import)`);
    const ds = await datasets.info(datasetId);
    if (!ds) return fail('NOT_FOUND', `unknown dataset "${datasetId}": import it first (dataset:import) or pick one from dataset:list`);
    const why = importDatasetMismatch(imported.experiment.model, ds);
    const model = imported.source ?? importId;
    if (why) return fail('SPEC_INVALID', `${model} cannot be evaluated on ${ds.name}: ${why}`);
    // Keyed by the import id like a run: one evaluation of an import at a time, none beside a training run.
    const started = await deps.host.start({
      mode: 'evaluate',
      runId: importId,
      dir: imported.dir,
      name: model,
      experiment: imported.experiment,
      datasetId,
      evaluateOn: datasetId,
      dataDir: layout.root,
    });
    if (!started.ok) return started;
    const outcome = await deps.host.whenExited(importId);
    if (!outcome || outcome.code !== 0)
      return fail('INTERNAL', `evaluating ${model} on ${ds.name} failed: ${outcome?.message ?? 'no result'}`);
    const report = await readEvaluation(imported.dir);
    return report ? ok(report) : fail('INTERNAL', `evaluating ${model} wrote no report`);
  }

  return {
    async 'training:start'(req) {
      const series = seriesBusy();
      if (series) return fail('BUSY', series);
      // Checked against the catalog's description: the pixels are loaded by the training process, not here.
      const ds = await datasets.info(req.datasetId);
      if (!ds)
        return fail('NOT_FOUND', `unknown dataset "${req.datasetId}": import it first (dataset:import) or pick one from dataset:list`);
      const summary = summarize(req.experiment.model, { numClasses: ds.classNames.length });
      if (!summary.ok) {
        return fail('SPEC_INVALID', `the model cannot be trained on ${ds.name}: ${summary.errors[0]?.message ?? ''}`, {
          errors: summary.errors,
        });
      }
      if (req.experiment.model.inputShape.join('x') !== ds.inputShape.join('x')) {
        return fail(
          'SPEC_INVALID',
          `the model expects ${req.experiment.model.inputShape.join('x')} images but ${ds.name} has ${ds.inputShape.join('x')}; set the input shape to match`,
        );
      }
      let initialWeights: TrainingJob['initialWeights'];
      if (req.initialWeights) {
        const { importId } = req.initialWeights;
        const imported = await readImport(layout.imports, importId);
        if (!imported) return fail('NOT_FOUND', `no imported model "${importId}" in ${layout.imports}; import it again (model:import)`);
        const why = weightsMismatch(req.experiment.model, imported.experiment.model);
        if (why) return fail('SPEC_INVALID', `the run cannot start from the weights of ${imported.source ?? importId}: ${why}`);
        initialWeights = { dir: imported.dir, importId, ...(imported.source ? { source: imported.source } : {}) };
      }
      const name = req.name ?? req.experiment.model.name ?? req.preset ?? 'run';
      let runId = newRunId(name);
      for (let n = 2; await exists(path.join(layout.runs, runId)); n++) runId = `${newRunId(name)}-${n}`;
      const dir = path.join(layout.runs, runId);
      await mkdir(layout.runs, { recursive: true });
      const started = await deps.host.start({
        mode: 'start',
        runId,
        dir,
        name,
        experiment: req.experiment,
        datasetId: req.datasetId,
        dataDir: layout.root,
        ...(req.preset ? { preset: req.preset } : {}),
        ...(initialWeights ? { initialWeights } : {}),
      });
      if (!started.ok) return started;
      deps.emit('runs:changed', { runId, change: 'created' });
      return ok({ runId, dir });
    },

    async 'training:resume'(req) {
      const run = await runs.details(req.runId);
      if (!run) return notFound(req.runId);
      if (run.active || deps.host.isActive(req.runId)) return fail('BUSY', `run "${req.runId}" is training already`);
      const series = seriesBusy();
      if (series) return fail('BUSY', series);
      if (!run.resumable) {
        const why =
          run.status === 'finished'
            ? 'it finished'
            : run.epochsDone >= run.epochsPlanned
              ? 'all its epochs are done'
              : run.error && repeatsOnResume(run.error.code)
                ? `it failed with ${run.error.code}, which a resume with the same settings would repeat; start a new run instead`
                : `it is ${run.status}`;
        return fail('NOT_AVAILABLE', `run "${req.runId}" cannot be resumed: ${why}`);
      }
      const started = await deps.host.start({
        mode: 'resume',
        runId: req.runId,
        dir: run.dir,
        name: run.name,
        experiment: run.experiment,
        datasetId: run.datasetId,
        dataDir: layout.root,
      });
      if (!started.ok) return started;
      deps.emit('runs:changed', { runId: req.runId, change: 'updated' });
      return ok({ runId: req.runId, dir: run.dir });
    },

    async 'runs:evaluate'(req) {
      if ('importId' in req) return evaluateImport(req.importId, req.datasetId);
      const run = await runs.details(req.runId);
      if (!run) return notFound(req.runId);
      if (!run.hasModel) {
        const saveLeft = run.resumable && run.epochsDone >= run.epochsPlanned;
        return fail(
          'NOT_FOUND',
          saveLeft
            ? `run "${req.runId}" has no saved model yet: it ended before its final save; resume it to write the model from its last checkpoint`
            : `run "${req.runId}" has no saved model to evaluate`,
        );
      }
      // Evaluation needs TensorFlow: it runs in a training process like training does, never in this one.
      const started = await deps.host.start({
        mode: 'evaluate',
        ...(req.model ? { evaluateModel: req.model } : {}),
        runId: req.runId,
        dir: run.dir,
        name: run.name,
        experiment: run.experiment,
        datasetId: run.datasetId,
        dataDir: layout.root,
      });
      if (!started.ok) return started;
      const outcome = await deps.host.whenExited(req.runId);
      if (!outcome || outcome.code !== 0)
        return fail('INTERNAL', `evaluating run "${req.runId}" failed: ${outcome?.message ?? 'no result'}`);
      const report = await runs.evaluation(req.runId);
      return report ? ok(report) : fail('INTERNAL', `evaluating run "${req.runId}" wrote no report`);
    },

    async 'training:stop'(req) {
      if (!deps.host.isActive(req.runId)) {
        return (await runs.exists(req.runId)) ? ok({ stopping: false }) : notFound(req.runId);
      }
      return ok({ stopping: deps.host.stop(req.runId) });
    },

    async 'runs:list'() {
      return ok({ runs: await runs.list() });
    },

    async 'runs:get'(req) {
      const details = await runs.details(req.runId);
      return details ? ok(details) : notFound(req.runId);
    },

    async 'runs:delete'(req) {
      if (deps.host.isActive(req.runId)) return fail('BUSY', `run "${req.runId}" is training; stop it before deleting it`);
      if (!(await runs.exists(req.runId))) return notFound(req.runId);
      await runs.remove(req.runId);
      deps.emit('runs:changed', { runId: req.runId, change: 'deleted' });
      return ok({ deleted: true as const });
    },

    async 'model:save'(req) {
      if (!(await runs.exists(req.runId))) return notFound(req.runId);
      if (!(await runs.hasModel(req.runId)))
        return fail('NOT_FOUND', `run "${req.runId}" has no saved model (it ended before one was written)`);
      let parent: string;
      if (deps.dialogs) {
        const picked = await deps.dialogs.pickDirectory('Save the model into this folder');
        if (!picked) return ok({ canceled: true } as Picked<SaveResult>);
        parent = picked;
      } else {
        parent = layout.saved;
      }
      await mkdir(parent, { recursive: true });
      const target = await freshPath(path.join(parent, `${safeSegment(req.runId)}-model`));
      // A failure halfway leaves no half-written model under its name.
      await replaceWith(target, (temp) => cp(path.join(runs.runDir(req.runId), RUN_FILES.model), temp, { recursive: true }));
      const files = await listFiles(target);
      return ok({ canceled: false, path: target, files, ...browserDownloads(files) } as Picked<SaveResult>);
    },

    async 'model:export'(req) {
      const info = await runs.details(req.runId);
      if (!info) return notFound(req.runId);
      if (!info.hasModel) return fail('NOT_FOUND', `run "${req.runId}" has no saved model to export`);
      const ext = EXPORT_EXTENSIONS[req.format];
      const baseName = `${safeSegment(info.name)}${req.format === 'tfjs' ? '-tfjs' : ''}`;
      let out: string;
      const confirmed = req.force && refused?.runId === req.runId && refused.format === req.format ? refused.path : null;
      refused = null;
      if (confirmed) {
        out = confirmed; // chosen in this handler's own dialog, then confirmed by the user
      } else if (deps.dialogs) {
        const picked =
          req.format === 'tfjs'
            ? await deps.dialogs.pickDirectory('Export the TensorFlow.js model into this folder')
            : await deps.dialogs.saveFile(`Export as ${req.format}`, `${baseName}${ext}`, [
                { name: req.format, extensions: [ext.slice(1)] },
              ]);
        if (!picked) return ok({ canceled: true } as Picked<SaveResult>);
        out = req.format === 'tfjs' ? await freshPath(path.join(picked, baseName)) : picked;
      } else {
        await mkdir(layout.exports, { recursive: true });
        out = await freshPath(path.join(layout.exports, baseName), ext);
      }
      try {
        const result = await exportModel(runs.runDir(req.runId), req.format, out, { ...(req.force ? { force: true } : {}) });
        return ok({ canceled: false, path: result.path, files: result.files, ...browserDownloads(result.files) } as Picked<SaveResult>);
      } catch (e) {
        if (e instanceof ExportTargetError) {
          if (e.forceAllows) refused = { runId: req.runId, format: req.format, path: out };
          return fail('TARGET_EXISTS', `export as ${req.format} refused: ${e.message}`, { path: e.target, forceAllows: e.forceAllows });
        }
        if (e instanceof ExportError && e.kind === 'busy')
          return fail('BUSY', `export as ${req.format} failed: ${e.message}`, { path: e.file });
        if (e instanceof ExportError) return fail('IO_ERROR', `export as ${req.format} failed: ${e.message}`, { path: e.file });
        throw e;
      }
    },
  };
}
