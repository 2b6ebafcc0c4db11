// Inference throughput, the machine's matrix-multiply peak through the same native library, and how
// much of a training step is batch assembly (the most a background prefetch could save).
import { variantExperiment } from './variants.js';
import { makeBatch } from '../../dist/main/engine/batches.js';
import { buildModel, compileModel } from '../../dist/main/engine/build-model.js';
import { evaluateModel } from '../../dist/main/engine/evaluate.js';
import { makeTrainStep } from '../../dist/main/engine/graph/graph-step.js';
import { readNpyUint8 } from './npy.js';

const SHAPE = [32, 32, 3];
const CLASS_NAMES = Array.from({ length: 10 }, (_, i) => `class${i}`);

function specOf(job) {
  return variantExperiment(job.variant);
}

/**
 * Bulk inference as evaluation and per-epoch validation run it: the engine's evaluateModel over
 * `job.samples` uint8 images in chunks of 256 (normalization, loss and confusion matrix included).
 */
export async function inferJob({ tf }, job) {
  const images = readNpyUint8(job.images).data;
  const labels = readNpyUint8(job.labels).data;
  const model = buildModel(tf, specOf(job).model, 10);
  const count = Math.floor(job.samples / job.batchSize) * job.batchSize;
  const subset = { source: { images, labels, count: labels.length }, indices: Uint32Array.from({ length: count }, (_, i) => i) };
  const evaluate = () => evaluateModel(tf, model, subset, SHAPE, CLASS_NAMES, { examples: 0 });
  await evaluate(); // warm-up
  const rates = [];
  for (let r = 0; r < job.repeats; r++) {
    const t0 = performance.now();
    await evaluate();
    rates.push((count * 1000) / (performance.now() - t0));
  }
  model.dispose();
  return { inferenceSamplesPerSec: rates };
}

/** A float32 n x n matMul through the backend: the compute ceiling this library reaches on this machine. */
export async function peakJob({ tf }, job) {
  const n = job.size;
  const a = tf.randomUniform([n, n], -1, 1, 'float32', 1);
  const b = tf.randomUniform([n, n], -1, 1, 'float32', 2);
  const once = () => {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync();
    const ms = performance.now() - t0;
    c.dispose();
    return ms;
  };
  once();
  const gflops = [];
  for (let r = 0; r < job.repeats; r++) gflops.push((2 * n ** 3) / (once() * 1e6));
  tf.dispose([a, b]);
  return { size: n, gflops };
}

/**
 * Times the two halves of each training step separately: building the batch (gather uint8 pixels in JS,
 * upload, scale to float) and the step itself. tfjs-node runs ops synchronously on the calling thread,
 * so assembly cannot overlap the step in-process; its share is the upper bound of a prefetch's gain.
 */
export async function prefetchJob({ tf }, job) {
  const images = readNpyUint8(job.images).data;
  const labels = readNpyUint8(job.labels).data;
  const count = job.batchSize * job.batches;
  const subset = {
    source: { images, labels: Uint16Array.from(labels), count: labels.length },
    indices: Uint32Array.from({ length: count }, (_, i) => i),
  };
  const order = Uint32Array.from({ length: count }, (_, i) => i);
  const spec = specOf(job);
  const model = buildModel(tf, spec.model, 10);
  compileModel(tf, model, spec.training);
  // The engine's own step: one graph run on native TensorFlow, trainOnBatch elsewhere.
  const train = makeTrainStep(tf, model, spec.model, spec.training, 10, () => {});
  const assembly = [];
  const step = [];
  for (let b = -2; b < job.batches; b++) {
    const start = Math.max(0, b) * job.batchSize;
    const t0 = performance.now();
    const { xs, ys } = makeBatch(tf, subset, order, start, start + job.batchSize, SHAPE, 10, false);
    const t1 = performance.now();
    await train.run(xs, ys);
    const t2 = performance.now();
    tf.dispose([xs, ys]);
    if (b >= 0) {
      assembly.push(t1 - t0);
      step.push(t2 - t1);
    }
  }
  train.dispose();
  model.dispose();
  return { assemblyMs: assembly, stepMs: step };
}
