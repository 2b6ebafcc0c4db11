#!/usr/bin/env node
// Verifies (and optionally benchmarks) the native TensorFlow backend of
// @tensorflow/tfjs-node. Run in a child process by install-native.mjs so that
// a crash inside libtensorflow cannot take the installer down with it.
//
//   node scripts/native/check-native.mjs              -> verify numerics + training
//   node scripts/native/check-native.mjs --strings    -> only check string tensors (PNG round trip)
//   node scripts/native/check-native.mjs --bench      -> verify, then time a small CNN
//
// Prints exactly one line starting with "RESULT " followed by JSON; exit code 0 on success.
// Runs as a script only (never imported): its work at load time is the check itself.
// @ts-check
import { createRequire } from 'node:module';
import util from 'node:util';

// Resolve packages from the repository root (this file is scripts/native/check-native.mjs).
const require = createRequire(new URL('../../package.json', import.meta.url));
/** @typedef {typeof import('@tensorflow/tfjs-node')} Tf */
/** @type {Record<string, unknown> & { isNullOrUndefined?: unknown, isArray?: unknown }} */
const utilShims = /** @type {any} */ (util);
// tfjs-node 4.22 calls util.isNullOrUndefined / util.isArray, removed in Node >= 23 (tfjs#8609).
if (typeof utilShims.isNullOrUndefined !== 'function') {
  utilShims.isNullOrUndefined = (/** @type {unknown} */ v) => v === null || v === undefined;
}
if (typeof utilShims.isArray !== 'function') utilShims.isArray = Array.isArray;

const args = new Set(process.argv.slice(2));
/** @type {{ ok: boolean, error?: string, backend?: string, tfVersion?: string, loss?: number[], bench?: Record<string, number> }} */
const result = { ok: false };

/** @param {number} code */
function finish(code) {
  process.stdout.write('RESULT ' + JSON.stringify(result) + '\n');
  process.exit(code);
}

/**
 * @param {ArrayLike<number>} a
 * @param {ArrayLike<number>} b
 * @param {number} tol
 */
function close(a, b, tol) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i] - b[i]) <= tol)) return false;
  return true;
}

/** @param {number} seed */
function mulberry32(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * @param {Tf} tf
 * @param {boolean} batchNorm
 */
function buildCnn(tf, batchNorm) {
  // The Keras CIFAR-10 example CNN (1.25 M params) used in ENVIRONMENT.md.
  const m = tf.sequential();
  /** @type {(filters: number, padding: 'same' | 'valid', first: boolean) => ReturnType<Tf['layers']['conv2d']>} */
  const conv = (filters, padding, first) =>
    tf.layers.conv2d({ filters, kernelSize: 3, padding, ...(first ? { inputShape: [32, 32, 3] } : {}) });
  /** @param {number} filters */
  const block = (filters) => {
    m.add(conv(filters, 'same', m.layers.length === 0));
    if (batchNorm) m.add(tf.layers.batchNormalization());
    m.add(tf.layers.activation({ activation: 'relu' }));
    m.add(conv(filters, 'valid', false));
    if (batchNorm) m.add(tf.layers.batchNormalization());
    m.add(tf.layers.activation({ activation: 'relu' }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tf.layers.dropout({ rate: 0.25 }));
  };
  block(32);
  block(64);
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 512, activation: 'relu' }));
  m.add(tf.layers.dropout({ rate: 0.5 }));
  m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  m.compile({ optimizer: tf.train.rmsprop(1e-4), loss: 'categoricalCrossentropy' });
  return m;
}

/**
 * Training samples/s of the CNN: the best of `repeats` timed blocks (robust to a busy machine).
 * @param {Tf} tf
 * @param {boolean} batchNorm
 * @param {number} batch
 * @param {number} steps
 */
async function bench(tf, batchNorm, batch, steps, repeats = 3) {
  const model = buildCnn(tf, batchNorm);
  const rnd = mulberry32(7);
  const xs = tf.tensor4d(Float32Array.from({ length: batch * 32 * 32 * 3 }, rnd), [batch, 32, 32, 3]);
  const labels = Int32Array.from({ length: batch }, (_, i) => i % 10);
  const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
  await model.trainOnBatch(xs, ys); // warm-up
  await model.trainOnBatch(xs, ys);
  let best = 0;
  for (let r = 0; r < repeats; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < steps; i++) await model.trainOnBatch(xs, ys);
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    best = Math.max(best, (batch * steps) / dt);
  }
  tf.dispose([xs, ys]);
  model.dispose();
  return Math.round(best * 10) / 10;
}

async function main() {
  /** @type {Tf} */
  let tf;
  try {
    tf = require('@tensorflow/tfjs-node');
  } catch (e) {
    result.error = 'load failed: ' + (e instanceof Error ? e.message.split('\n')[0] : String(e));
    return finish(1);
  }
  result.backend = tf.getBackend();
  try {
    // The native backend's binding is not part of tfjs's typed KernelBackend.
    result.tfVersion = /** @type {{ binding: { TF_Version: string } }} */ (/** @type {unknown} */ (tf.backend())).binding.TF_Version;
  } catch {
    /* ignore */
  }
  if (result.backend !== 'tensorflow') {
    result.error = `backend is ${result.backend}, expected tensorflow`;
    return finish(1);
  }

  if (args.has('--strings')) {
    // String tensors: PNG encode/decode goes through TF_TString on the native side.
    const img = tf.tensor3d(
      Uint8Array.from({ length: 4 * 4 * 3 }, (_, i) => (i * 7) % 256),
      [4, 4, 3],
      'int32',
    );
    const png = await tf.node.encodePng(img);
    const back = tf.node.decodePng(png, 3);
    result.ok = close(Array.from(img.dataSync()), Array.from(back.dataSync()), 0);
    if (!result.ok) result.error = 'PNG round trip differs';
    return finish(result.ok ? 0 : 1);
  }

  // conv2d against a direct computation.
  const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
  const k = tf.tensor4d([1, 0, 0, -1], [2, 2, 1, 1]);
  const y = tf.conv2d(x, k, 1, 'valid');
  const conv = Array.from(y.dataSync());
  if (!close(conv, [-4, -4, -4, -4], 1e-6)) {
    result.error = 'conv2d gave ' + JSON.stringify(conv);
    return finish(1);
  }

  // A few training steps of a conv net must reduce the loss.
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  const rnd = mulberry32(1);
  const n = 32;
  const data = new Float32Array(n * 64);
  const lab = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    lab[i] = i % 2;
    for (let j = 0; j < 64; j++) data[i * 64 + j] = rnd() * 0.2 + (lab[i] && j < 32 ? 0.8 : 0);
  }
  const xs = tf.tensor4d(data, [n, 8, 8, 1]);
  const ys = tf.oneHot(tf.tensor1d(lab, 'int32'), 2);
  // One loss, no metrics: trainOnBatch gives a number.
  const first = Number(await model.trainOnBatch(xs, ys));
  let last = first;
  for (let i = 0; i < 30; i++) last = Number(await model.trainOnBatch(xs, ys));
  result.loss = [first, last];
  if (!(Number.isFinite(last) && last < first)) {
    result.error = `training did not reduce the loss (${first} -> ${last})`;
    return finish(1);
  }
  result.ok = true;

  if (args.has('--bench')) {
    result.bench = {
      batch32: await bench(tf, false, 32, 8),
      batch128: await bench(tf, false, 128, 3),
      batchNorm32: await bench(tf, true, 32, 8),
    };
  }
  return finish(0);
}

main().catch((e) => {
  result.ok = false;
  result.error = String(e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e);
  finish(1);
});
