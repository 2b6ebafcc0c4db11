import { beforeAll, describe, expect, it } from 'vitest';
import { shareScalarsAdam } from '../../../main/engine/native-adam.js';
import type { EngineBackend, Tensor, TF } from '../../../main/engine/tf-types.js';
import { testBackend } from '../helpers/backend.js';

let backend: EngineBackend;
let tf: TF;
beforeAll(async () => {
  backend = await testBackend();
  tf = backend.tf;
});

type Optimizer = ReturnType<TF['train']['adam']>;
type Gradients = Parameters<Optimizer['applyGradients']>[0];

/** Runs `steps` Adam steps on four fresh variables. */
function train(optimizer: Optimizer, tag: string, steps: number) {
  const a = tf.variable(tf.randomNormal([3, 4], 0, 1, 'float32', 1), true, `adam_${tag}_a`);
  const b = tf.variable(tf.randomNormal([5], 0, 1, 'float32', 2), true, `adam_${tag}_b`);
  const c = tf.variable(tf.randomNormal([3], 0, 1, 'float32', 3), true, `adam_${tag}_c`);
  const d = tf.variable(tf.randomNormal([1], 0, 1, 'float32', 4), true, `adam_${tag}_d`);
  for (let step = 0; step < steps; step++) {
    // Vectors (b, c, d) are updated together; d gets no gradient on odd steps.
    const grads = {
      [a.name]: tf.randomNormal([3, 4], 0, 1 + step, 'float32', 10 + step),
      [b.name]: tf.randomNormal([5], 0, 0.01, 'float32', 20 + step),
      [c.name]: tf.randomNormal([3], 0, 100, 'float32', 30 + step),
      ...(step % 2 === 0 ? { [d.name]: tf.randomNormal([1], 0, 1, 'float32', 40 + step) } : {}),
    };
    optimizer.applyGradients(grads as unknown as Gradients);
    tf.dispose(Object.values(grads));
  }
  return [a, b, c, d];
}

async function values(tensors: Tensor[]): Promise<number[][]> {
  return Promise.all(tensors.map(async (t) => Array.from(await t.data())));
}

describe('Adam with shared scalar constants', () => {
  it('updates variables and moments exactly as tfjs Adam does', async () => {
    const stock = tf.train.adam(1e-3, 0.9, 0.999, 1e-7);
    const shared = shareScalarsAdam(tf, 1e-3, 0.9, 0.999, 1e-7);
    const vs = train(stock, 'stock', 4);
    const vf = train(shared, 'shared', 4);
    expect(await values(vf)).toEqual(await values(vs));
    expect(await values(vf)).not.toEqual(await values(vs.map((v) => tf.randomNormal(v.shape, 0, 1, 'float32', 1))));
    const [ws, wf] = [await stock.getWeights(), await shared.getWeights()];
    expect(wf.map((w) => w.name.replace('shared', 'X'))).toEqual(ws.map((w) => w.name.replace('stock', 'X')));
    expect(await values(wf.map((w) => w.tensor))).toEqual(await values(ws.map((w) => w.tensor)));
    expect(shared.getClassName()).toBe('Adam');
    expect(shared.getConfig()).toEqual(stock.getConfig());
    expect(shared.iterations).toBe(4);
  });

  it('resumes from saved state as the stock optimizer does', async () => {
    const first = tf.train.adam(1e-3, 0.9, 0.999, 1e-7);
    const vars = train(first, 'resume1', 3);
    const state = (await first.getWeights()).map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
    const snapshot = vars.map((v) => v.clone());
    // Continue once with the stock optimizer, and once with a shared-scalar one restored from the state.
    const stockNext = tf.train.adam(1e-3, 0.9, 0.999, 1e-7);
    await stockNext.setWeights(state.map((w) => ({ name: w.name, tensor: w.tensor.clone() })));
    const sharedNext = shareScalarsAdam(tf, 1e-3, 0.9, 0.999, 1e-7);
    await sharedNext.setWeights(state.map((w) => ({ name: w.name, tensor: w.tensor.clone() })));
    const grads = vars.map((v, i) => tf.randomNormal(v.shape, 0, 1, 'float32', 40 + i));
    const step = (opt: Optimizer) => {
      vars.forEach((v, i) => v.assign(snapshot[i]));
      // The list form this time (tfjs-layers passes the map form).
      opt.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: grads[i] })));
      return values(vars);
    };
    const afterStock = await step(stockNext);
    const afterShared = await step(sharedNext);
    expect(afterShared).toEqual(afterStock);
    expect(afterShared).not.toEqual(await values(snapshot));
  });
});
