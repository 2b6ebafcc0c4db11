/** `layerbench predict <run or model folder> <images...>`: the top classes of each image file, with probabilities. */
import { DatasetError } from '../data/dataset.js';
import { UnreadableImageError } from '../engine/predict.js';
import { predictWithRun } from '../runs/evaluate-run.js';
import { RunError } from '../runs/run-error.js';
import { parseModelChoice } from './evaluate-command.js';
import { CliError, EXIT } from './exit-codes.js';
import { engineBackend } from './resume-command.js';

export async function predictCommand(
  positionals: string[],
  opts: { dataset?: string; model?: string; top?: number; json?: boolean },
): Promise<number> {
  const [dir, ...files] = positionals;
  if (!dir || files.length === 0)
    throw new CliError('predict needs a run or model folder and image files: layerbench predict runs/<run> a.png b.jpg', EXIT.usage);
  if (opts.top !== undefined && opts.top < 1) throw new CliError('--top must be at least 1', EXIT.usage);
  const backend = await engineBackend();
  let result;
  try {
    result = await predictWithRun(backend, {
      dir,
      files,
      ...(opts.dataset ? { dataset: opts.dataset } : {}),
      model: parseModelChoice(opts.model),
      ...(opts.top !== undefined ? { top: opts.top } : {}),
    });
  } catch (e) {
    if (e instanceof RunError || e instanceof UnreadableImageError) throw new CliError(e.message, EXIT.usage);
    if (e instanceof DatasetError) throw new CliError(`dataset error: ${e.message}`, EXIT.dataset);
    throw e;
  }
  if (opts.json) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return EXIT.ok;
  }
  for (const p of result.predictions) {
    const tops = p.top.map((t) => `${t.label} ${(t.probability * 100).toFixed(1)}%`).join(', ');
    process.stdout.write(`${p.file}: ${tops}\n`);
  }
  return EXIT.ok;
}
