// `npm run bench` (after `npm run build`): Layerbench's engine against Keras and PyTorch on the same
// synthetic data, plus the engine's own costs. Writes bench-results/bench-<date>.json and prints a table.
//   node test/bench/run.js [--quick] [--no-peers] [--out <dir>]
// --quick: a few batches and one repeat (a smoke check, about a minute plus Python start-up);
// --no-peers: Layerbench only. The seed CNN rows take about 10 minutes on a quiet 2-core machine; resnet20 adds more.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
if (!existsSync(path.join(root, 'dist/main/engine/train.js'))) {
  process.stderr.write('The benchmark runs the built engine: run `npm run build:main` (or `npm run build`) first.\n');
  process.exit(2);
}
await import('./bench.js');
