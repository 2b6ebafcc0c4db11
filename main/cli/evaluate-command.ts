/**
 * `layerbench evaluate <folder> [--dataset REF]`: a run's model, or any model folder's, on held-out images:
 * scores, confusion matrix, worst mistakes.
 */
import { formatMetric } from '../../common/keras-log.js';
import { DatasetError } from '../data/dataset.js';
import { evaluateRun, type ModelChoice, type RunEvaluation } from '../runs/evaluate-run.js';
import { RunError } from '../runs/run-error.js';
import { CliError, EXIT } from './exit-codes.js';
import { engineBackend } from './resume-command.js';

export const MODEL_CHOICES: readonly ModelChoice[] = ['final', 'best', 'last'];

export function parseModelChoice(value: string | undefined): ModelChoice | undefined {
  if (value === undefined) return undefined;
  if (!(MODEL_CHOICES as readonly string[]).includes(value))
    throw new CliError(`--model must be one of ${MODEL_CHOICES.join(', ')}, got "${value}"`, EXIT.usage);
  return value as ModelChoice;
}

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '-');

export function formatEvaluation(r: RunEvaluation): string {
  const names = r.classNames;
  const width = Math.max(5, ...names.map((n) => n.length), ...r.confusion.flat().map((c) => String(c).length)) + 1;
  const cell = (s: string) => s.padStart(width);
  // The per-class table's headings are longer than most cells: its columns are at least as wide as them.
  const scoreWidth = Math.max(width, 'precision'.length + 1);
  const score = (s: string) => s.padStart(scoreWidth);
  const lines = [
    `Evaluated the ${r.model} model on ${r.setDescription}`,
    ...r.warnings.map((w) => `Warning: ${w}`),
    `${r.count} images - loss: ${formatMetric(r.loss)} - accuracy: ${formatMetric(r.accuracy)}`,
    '',
    'Confusion matrix (rows: true class, columns: predicted class)',
    cell('') + names.map(cell).join(''),
    ...r.confusion.map((row, i) => cell(names[i]) + row.map((c) => cell(String(c))).join('')),
    '',
    `${cell('class')}${['precision', 'recall', 'accuracy', 'support'].map(score).join('')}`,
    ...r.perClass.map((c) => `${cell(c.name)}${[pct(c.precision), pct(c.recall), pct(c.accuracy), String(c.support)].map(score).join('')}`),
    '',
    r.misclassified.length > 0 ? 'Most confidently misclassified:' : 'No image was misclassified.',
    ...r.misclassified.map(
      (m, i) =>
        `  image ${m.index}: true ${names[m.trueLabel]}, predicted ${names[m.predicted]} (${pct(m.confidence)}; true class ${pct(m.trueProbability)})  ${r.images[i]}`,
    ),
    `Report and images: ${r.dir}`,
  ];
  return lines.join('\n');
}

export async function evaluateCommand(
  dir: string | undefined,
  opts: { dataset?: string; model?: string; examples?: number; json?: boolean },
): Promise<number> {
  if (!dir)
    throw new CliError('evaluate needs a run or model folder: layerbench evaluate runs/<run> (or MODEL_DIR --dataset REF)', EXIT.usage);
  const backend = await engineBackend();
  let report: RunEvaluation;
  try {
    report = await evaluateRun(backend, {
      dir,
      ...(opts.dataset ? { dataset: opts.dataset } : {}),
      model: parseModelChoice(opts.model),
      ...(opts.examples !== undefined ? { examples: opts.examples } : {}),
    });
  } catch (e) {
    if (e instanceof RunError) throw new CliError(e.message, EXIT.usage);
    if (e instanceof DatasetError) throw new CliError(`dataset error: ${e.message}`, EXIT.dataset);
    throw e;
  }
  process.stdout.write((opts.json ? JSON.stringify(report, null, 2) : formatEvaluation(report)) + '\n');
  return EXIT.ok;
}
