// Where the time of one graph training step goes, op by op: writes Layerbench's training graph for a preset
// and batch size to a temporary folder, then has TensorFlow (Python, the Keras peer's interpreter) run it
// with full tracing and sum the op times by op type. Usage:
//   npm run build:main && npm run bench:trace -- [baseline|batchnorm] [batch size]
// TF_ENABLE_ONEDNN_OPTS=0 in the environment shows the same step without oneDNN's kernels.
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

const variant = process.argv[2] ?? 'batchnorm';
const batchSize = Number(process.argv[3] ?? 32);
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
  process.stdout.write(execFileSync(python, [script, JSON.stringify(job)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
} finally {
  rmSync(dir, { recursive: true, force: true });
  model.dispose();
}
