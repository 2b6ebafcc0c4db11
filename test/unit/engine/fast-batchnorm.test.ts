import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { preset } from '../../../common/presets.js';
import { buildModel, compileModel } from '../../../main/engine/build-model.js';
import { batchNormalizationLayer } from '../../../main/engine/fast-batchnorm.js';
import { BATCH_NORM_TRAINING } from '../../../main/engine/native-kernels.js';
import { loadModelFromDir, saveModelAtomic } from '../../../main/engine/save.js';
import type { EngineBackend, Tensor, TF } from '../../../main/engine/tf-types.js';
import { testBackend } from '../helpers/backend.js';

let backend: EngineBackend;
let tf: TF;
beforeAll(async () => {
  backend = await testBackend();
  tf = backend.tf;
});
const native = () => backend.name === 'tensorflow';

type Layer = ReturnType<TF['layers']['batchNormalization']>;

async function maxAbsDiff(a: Tensor, b: Tensor): Promise<number> {
  const d = tf.max(tf.abs(tf.sub(a, b)));
  const v = (await d.data())[0];
  d.dispose();
  return v;
}

/** Two built layers, stock and fused, with the same non-trivial weights. */
function pair(channels: number): { stock: Layer; fast: Layer } {
  const args = { momentum: 0.9, epsilon: 1e-3, inputShape: [5, 6, channels] };
  const stock = tf.layers.batchNormalization(args);
  const fast = batchNormalizationLayer(tf, args);
  for (const layer of [stock, fast]) {
    layer.build([null, 5, 6, channels]);
    layer.setWeights([
      tf.linspace(0.5, 2, channels),
      tf.linspace(-1, 1, channels),
      tf.linspace(0.1, 0.3, channels),
      tf.linspace(1, 3, channels),
    ]);
  }
  return { stock, fast };
}

describe('fused BatchNormalization on native TensorFlow', () => {
  it('runs on native TensorFlow where CI expects it (the other tests skip elsewhere)', () => {
    if (process.env.LAYERBENCH_EXPECT_NATIVE === '1') expect(backend.name).toBe('tensorflow');
    expect(['tensorflow', 'wasm', 'cpu']).toContain(backend.name);
  });

  it('is what the engine builds, and keeps the stock class name', () => {
    const model = buildModel(tf, preset('seed-batchnorm').model, 10);
    const bn = model.layers.filter((l) => l.getClassName() === 'BatchNormalization');
    expect(bn).toHaveLength(4);
    const stockCtor = tf.layers.batchNormalization({}).constructor;
    // On native TensorFlow the engine's layer is the fused subclass; elsewhere the stock class itself.
    expect(bn.every((l) => (l.constructor === stockCtor) === !native())).toBe(true);
    model.dispose();
  });

  it('matches the stock layer forward, in gradients, and in moving statistics', async (ctx) => {
    if (!native()) ctx.skip();
    const { stock, fast } = pair(3);
    const x = tf.variable(tf.randomNormal([4, 5, 6, 3], 2, 3, 'float32', 7), true, 'fbn_x');
    const dy = tf.randomNormal([4, 5, 6, 3], 0, 1, 'float32', 8);
    const run = (layer: Layer) => {
      let y: Tensor | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const out = layer.apply(x, { training: true }) as Tensor;
        y = tf.keep(out.clone());
        return tf.sum(tf.mul(out, dy)) as ReturnType<typeof tf.scalar>;
      });
      value.dispose();
      const names = [x.name, ...layer.trainableWeights.map((w) => w.name)];
      return { y: y as Tensor, grads: names.map((n) => grads[n]) };
    };
    const a = run(stock);
    const b = run(fast);
    expect(await maxAbsDiff(a.y, b.y)).toBeLessThan(1e-5);
    expect(b.grads.every((g) => g !== undefined)).toBe(true);
    // x, gamma, beta; gradients summed over 120 values, so compare against their size.
    for (let i = 0; i < 3; i++) {
      const scale = (await tf.max(tf.abs(a.grads[i] as Tensor)).data())[0];
      expect(await maxAbsDiff(a.grads[i] as Tensor, b.grads[i] as Tensor)).toBeLessThan(1e-5 * Math.max(1, scale));
    }
    const sw = stock.getWeights();
    const fw = fast.getWeights();
    expect(await maxAbsDiff(sw[2], fw[2])).toBeLessThan(1e-6); // moving mean
    expect(await maxAbsDiff(sw[3], fw[3])).toBeLessThan(1e-5); // moving variance (biased, as tfjs)
    expect(await maxAbsDiff(sw[3], tf.linspace(1, 3, 3))).toBeGreaterThan(1e-3); // it did update
    // Inference is the stock path in both.
    expect(await maxAbsDiff(stock.apply(x, { training: false }) as Tensor, fast.apply(x, { training: false }) as Tensor)).toBeLessThan(
      1e-6,
    );
    x.dispose();
  });

  it('trains the seed CNN through the fused kernel, not the composed ops', async (ctx) => {
    if (!native()) ctx.skip();
    const spec = preset('seed-batchnorm');
    const model = buildModel(tf, spec.model, 10);
    compileModel(tf, model, spec.training);
    const xs = tf.randomUniform([8, 32, 32, 3]);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10).toFloat();
    const profile = await tf.profile(async () => {
      await model.trainOnBatch(xs, ys);
    });
    const names = profile.kernels.map((k) => k.name);
    expect(names.filter((n) => n === BATCH_NORM_TRAINING)).toHaveLength(4);
    // The composed path's moments show up as Mean/SquaredDifference kernels.
    expect(names.filter((n) => n === 'SquaredDifference')).toHaveLength(0);
    model.dispose();
  });

  it('saves in the standard layers format and loads back as a stock BatchNormalization', async (ctx) => {
    if (!native()) ctx.skip();
    const spec = preset('seed-batchnorm');
    const model = buildModel(tf, spec.model, 10);
    compileModel(tf, model, spec.training);
    await model.trainOnBatch(tf.randomUniform([4, 32, 32, 3]), tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 10).toFloat());
    const dir = path.join(await mkdtemp(path.join(tmpdir(), 'fbn-')), 'model');
    await saveModelAtomic(tf, model, dir);
    const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as { modelTopology: unknown };
    const text = JSON.stringify(json.modelTopology);
    expect(text.match(/"class_name":"BatchNormalization"/g)).toHaveLength(4);
    const loaded = await loadModelFromDir(tf, dir);
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 3);
    expect(await maxAbsDiff(model.predict(x) as Tensor, loaded.predict(x) as Tensor)).toBeLessThan(1e-6);
    const manifest = (json as unknown as { weightsManifest: { weights: { name: string }[] }[] }).weightsManifest;
    const saved = manifest.flatMap((g) => g.weights.map((w) => w.name.split('/').pop()));
    for (const weight of ['gamma', 'beta', 'moving_mean', 'moving_variance']) expect(saved.filter((n) => n === weight)).toHaveLength(4);
    model.dispose();
    loaded.dispose();
  });

  it('keeps step() exact for ReLU gradients, NaN included', async (ctx) => {
    if (!native()) ctx.skip();
    const x = tf.tensor1d([-2, -0, 0, 1e-30, 3, NaN]);
    expect(Array.from(await tf.step(x).data())).toEqual([0, 0, 0, 1, 1, NaN]);
    expect(Array.from(await tf.step(x, 0.5).data())).toEqual([0.5, 0.5, 0.5, 1, 1, NaN]);
  });
});
