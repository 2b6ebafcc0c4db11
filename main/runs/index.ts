/**
 * The run store's service API, for the CLI and the desktop shell alike:
 *   listRuns(parent)            every run folder under `parent`, newest first, with state and progress
 *   openRun(dir)                one run: record, full history, problems found, log tail
 *   startRun(ctx, args)         create a run folder and train into it
 *   resumeRun(ctx, { dir })     continue an interrupted, stopped or failed run from its last checkpoint
 *   evaluateRun(backend, args)  test-set report (confusion matrix, per class, worst mistakes as PNGs)
 *   predictWithRun(backend, a)  classify image files with the run's model
 */
export { listRuns, openRun, stateOf, type OpenedRun, type RunListing, type RunState } from './run-store.js';
export { RunError } from './run-error.js';
export { startRun, trainInFolder, type RunContext, type RunOutcome, type StartRunArgs } from './run-training.js';
export { resumeRun, type ResumeArgs } from './resume-run.js';
export { evaluateRun, predictWithRun, loadRunModel, evaluationSet, type RunEvaluation, type ModelChoice } from './evaluate-run.js';
export { RunFolder, RUN_FILES, type RunInfo } from './run-folder.js';
export type { StoreProblem } from './epoch-log.js';
