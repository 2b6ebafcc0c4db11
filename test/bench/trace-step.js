// Where the time of one graph training step goes, op by op: writes Layerbench's training graph for a preset
// and batch size to a temporary folder, then has TensorFlow (Python, the Keras peer's interpreter) run it
// with full tracing and sum the op times by op type. Usage:
//   npm run build:main && npm run bench:trace -- [baseline|batchnorm] [batch size] [--onednn]
// TF_ENABLE_ONEDNN_OPTS=0 in the environment shows the same step without oneDNN's kernels. --onednn adds
// oneDNN's own timing of its primitives (ONEDNN_VERBOSE), per step by primitive: the kernels' time
// without TensorFlow's op overhead around them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBackend } from '../../dist/main/backend/index.js';
import { preset } from '../../dist/common/presets.js';
import { buildModel, compileModel } from '../../dist/main/engine/build-model.js';
import { modelPlan } from '../../dist/main/engine/graph/model-plan.js';
import { buildTrainGraph } from '../../dist/main/engine/graph/train-graph.js';

const args = process.argv.slice(2).filter((a) => a !== '--onednn');
const onednn = process.argv.includes('--onednn');
const variant = args[0] ?? 'batchnorm';
const batchSize = Number(args[1] ?? 32);
const { tf } = await loadBackend();
const spec = preset(variant === 'batchnorm' ? 'seed-batchnorm' : 'seed-baseline');
const model = buildModel(tf, spec.model, 10);
compileModel(tf, model, spec.training);
const built = buildTrainGraph(modelPlan(model, spec.model, 10).plan, spec.training);
const dir = mkdtempSync(path.join(os.tmpdir(), 'layerbench-trace-'));
try {
  writeFileSync(path.join(dir, 'saved_model.pb'), built.graph.toSavedModel());
  const job = { dir, batchSize, inputShape: spec.model.inputShape, classes: 10, ...built };
  delete job.graph;
  const python = process.env.LAYERBENCH_KERAS_PYTHON ?? 'python3';
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'peers', 'trace_step.py');
  process.stdout.write(`${variant}, batch ${batchSize}\n`);
  const env = onednn ? { ...process.env, ONEDNN_VERBOSE: '1' } : process.env;
  const out = execFileSync(python, [script, JSON.stringify(job)], {
    encoding: 'utf8',
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 256 * 1024 * 1024,
  });
  const lines = out.split('\n');
  process.stdout.write(lines.filter((l) => !l.startsWith('onednn_verbose')).join('\n'));
  if (onednn) process.stdout.write(onednnSummary(lines));
} finally {
  rmSync(dir, { recursive: true, force: true });
  model.dispose();
}

/** Sums oneDNN's "exec" lines (onednn_verbose,v1,primitive,exec,cpu,<primitive>,<impl>,<kind>,...,<ms>) per step. */
function onednnSummary(lines) {
  const steps = Number(/^steps run: (\d+)/m.exec(lines.join('\n'))?.[1]);
  const totals = new Map();
  for (const line of lines) {
    const f = line.split(',');
    if (f[0] !== 'onednn_verbose' || f[3] !== 'exec') continue;
    const key = `${f[5]} ${f[7]}`;
    totals.set(key, (totals.get(key) ?? 0) + Number(f[f.length - 1]));
  }
  const rows = [...totals].sort((a, b) => b[1] - a[1]);
  return [
    `oneDNN primitives, ms per step (${steps} steps):`,
    ...rows.map(([key, ms]) => `  ${key.padEnd(44)} ${(ms / steps).toFixed(3)} ms`),
    '',
  ].join('\n');
}
