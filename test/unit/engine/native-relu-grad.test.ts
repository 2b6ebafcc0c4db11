import { beforeAll, describe, expect, it } from 'vitest';
import { preset } from '../../../common/presets.js';
import { buildModel, compileModel } from '../../../main/engine/build-model.js';
import { ensureNativeKernels } from '../../../main/engine/native-kernels.js';
import type { EngineBackend, Tensor, TF } from '../../../main/engine/tf-types.js';
import { testBackend } from '../helpers/backend.js';

let backend: EngineBackend;
let tf: TF;
beforeAll(async () => {
  backend = await testBackend();
  tf = backend.tf;
  ensureNativeKernels(tf);
});
const savedStockFlag = process.env.LAYERBENCH_STOCK_KERNELS;
// LAYERBENCH_STOCK_KERNELS=1 turns the native kernels off, so there is nothing to compare.
const native = () => backend.name === 'tensorflow' && savedStockFlag !== '1';

async function maxAbsDiff(a: Tensor, b: Tensor): Promise<number> {
  return tf
    .tidy(() => tf.max(tf.abs(tf.sub(a, b))))
    .data()
    .then((d) => d[0]);
}

/** Runs fn with LAYERBENCH_STOCK_KERNELS=1: tfjs's own ReLU gradient. */
async function stockKernels<T>(fn: () => Promise<T> | T): Promise<T> {
  process.env.LAYERBENCH_STOCK_KERNELS = '1';
  try {
    return await fn();
  } finally {
    delete process.env.LAYERBENCH_STOCK_KERNELS;
  }
}

describe('ReLU differentiated by TensorFlow ReluGrad on native TensorFlow', () => {
  it('gives the stock ReLU gradient, exactly, through one op', async (ctx) => {
    if (!native()) ctx.skip();
    const x = tf.tensor1d([-2, -0, 0, 1e-30, 3, -1e-30, 7]);
    const dy = tf.tensor1d([1, 2, 3, 4, 5, 6, -7]);
    const grad = () => tf.grad((v: Tensor) => tf.relu(v))(x, dy);
    const stock = await stockKernels(async () => Array.from(await grad().data()));
    expect(stock).toEqual([0, 0, 0, 4, 5, 0, -7]);
    expect(Array.from(await grad().data())).toEqual(stock);
    const names = (await tf.profile(grad)).kernels.map((k) => k.name);
    expect(names).toContain('LayerbenchReluGrad');
    expect(names).not.toContain('Step');
    const stockNames = (await stockKernels(() => tf.profile(grad))).kernels.map((k) => k.name);
    expect(stockNames).toContain('Step');
  });

  it('trains the seed CNN to the same weights, loss and Adam state as the stock kernels', async (ctx) => {
    if (!native()) ctx.skip();
    const spec = preset('seed-baseline', { inputShape: [12, 12, 3], numClasses: 4 });
    // Stock: tfjs's ReLU gradient and tfjs's own Adam; otherwise ReluGrad and the shared-scalar Adam.
    const stock = await stockKernels(() => buildModel(tf, spec.model, 4));
    const fast = buildModel(tf, spec.model, 4);
    fast.setWeights(stock.getWeights());
    const stockOptimizer = await stockKernels(() => compileModel(tf, stock, spec.training));
    const fastOptimizer = compileModel(tf, fast, spec.training);
    expect(fastOptimizer.constructor).not.toBe(stockOptimizer.constructor);
    const xs = tf.randomUniform([8, 12, 12, 3], 0, 1, 'float32', 5);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], 'int32'), 4).toFloat();
    for (let step = 0; step < 3; step++) {
      const la = (await stockKernels(() => stock.trainOnBatch(xs, ys))) as number[];
      const lb = (await fast.trainOnBatch(xs, ys)) as number[];
      expect(Math.abs(la[0] - lb[0])).toBeLessThanOrEqual(1e-5 * Math.abs(la[0]));
    }
    const [wa, wb] = [stock.getWeights(), fast.getWeights()];
    for (let i = 0; i < wa.length; i++) {
      const scale = Math.max(1e-3, (await tf.max(tf.abs(wa[i])).data())[0]);
      expect(await maxAbsDiff(wa[i], wb[i])).toBeLessThanOrEqual(1e-5 * scale);
    }
    const [oa, ob] = [await stock.optimizer.getWeights(), await fast.optimizer.getWeights()];
    // The second model's variables get a uniquifying suffix (kernel_1); the slots are otherwise the same.
    const slot = (name: string) => name.replace(/(kernel|bias)_\d+\//, '$1/');
    expect(ob.map((w) => slot(w.name))).toEqual(oa.map((w) => slot(w.name)));
    for (let i = 1; i < oa.length; i++) expect(await maxAbsDiff(oa[i].tensor, ob[i].tensor)).toBeLessThanOrEqual(1e-5);
    const names = (await tf.profile(() => fast.trainOnBatch(xs, ys))).kernels.map((k) => k.name);
    expect(names.filter((n) => n === 'LayerbenchReluGrad')).toHaveLength(5);
    expect(names).not.toContain('Step');
    // Saved topology is the stock one, byte for byte.
    expect(JSON.stringify(fast.toJSON(null, false))).toBe(JSON.stringify(stock.toJSON(null, false)));
    stock.dispose();
    fast.dispose();
  });
});
