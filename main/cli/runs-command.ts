/** `layerbench runs [--dir DIR]`: the runs in a folder, newest first, with their state and progress. */
import { formatMetric } from '../../common/keras-log.js';
import { listRuns, type RunListing } from '../runs/run-store.js';
import { RunError } from '../runs/run-error.js';
import { CliError, EXIT } from './exit-codes.js';

function row(r: RunListing): string[] {
  const epochs = `${r.epochsDone}/${r.epochsPlanned ?? '?'}`;
  const last = r.last
    ? `${r.last.val_accuracy !== undefined ? 'val_acc' : 'acc'} ${formatMetric(r.last.val_accuracy ?? r.last.accuracy)}`
    : '';
  const best = r.best?.bestEpoch !== undefined ? `best ${r.best.monitor} ${formatMetric(r.best.best ?? NaN)} @${r.best.bestEpoch}` : '';
  const notes = [
    r.resumable ? 'resumable' : '',
    r.stoppedEarly ? `stopped early @${r.stoppedEarly.epoch}` : '',
    r.error ? r.error.code : '',
    r.problems.length > 0 ? `${r.problems.length} problem${r.problems.length > 1 ? 's' : ''}` : '',
  ].filter(Boolean);
  return [r.id, r.state, epochs, last, best, r.datasetId ?? '', notes.join(', ')];
}

export async function runsCommand(opts: { dir?: string; json?: boolean }): Promise<number> {
  const dir = opts.dir ?? 'runs';
  let runs: RunListing[];
  try {
    runs = await listRuns(dir);
  } catch (e) {
    // --dir is the caller's input: a file or an unreadable folder is bad usage, said in one line.
    if (e instanceof RunError) throw new CliError(`runs --dir: ${e.message}`, EXIT.usage);
    throw e;
  }
  if (opts.json) {
    process.stdout.write(JSON.stringify(runs, null, 2) + '\n');
    return EXIT.ok;
  }
  if (runs.length === 0) {
    process.stdout.write(`No runs in ${dir}\n`);
    return EXIT.ok;
  }
  const rows = [['run', 'state', 'epochs', 'last', 'best', 'dataset', 'notes'], ...runs.map(row)];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows)
    process.stdout.write(
      r
        .map((v, c) => v.padEnd(widths[c]))
        .join('  ')
        .trimEnd() + '\n',
    );
  for (const r of runs) for (const p of r.problems) process.stdout.write(`${r.id}: ${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}\n`);
  return EXIT.ok;
}
