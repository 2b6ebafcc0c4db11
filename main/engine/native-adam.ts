/**
 * tfjs's Adam with fewer eager ops per step, for the native backend.
 *
 * tfjs's Adam runs 14 ops per variable, and passes plain numbers (beta1, 1 - beta1, ..., -learningRate)
 * that each become a new scalar tensor, five per variable per step. On native TensorFlow each op and
 * scalar costs a dispatch through the binding (about 20 us), which for small variables is most of the
 * cost. This subclass uploads the scalars once per step, and updates all vector variables (biases,
 * BatchNormalization's gamma and beta) as one concatenated vector. It runs the same elementwise ops in
 * the same order on the same float32 values, so its numbers are tfjs's to the bit.
 * Its class, config and getWeights()/setWeights() are AdamOptimizer's, so checkpoints are unchanged.
 */
import type { Tensor, TF } from './tf-types.js';

type Adam = ReturnType<TF['train']['adam']>;
type Assignable = Tensor & { assign(t: Tensor): void };
interface Slots {
  gradient: Tensor;
  m: Assignable;
  v: Assignable;
  value: Assignable;
}

/** Writes [m, v, value] (for several slots: concatenated in their order) back to the slots' variables. */
function assignAll(tf: TF, slots: Slots[], [m, v, value]: [Tensor, Tensor, Tensor]): void {
  const sizes = slots.map((s) => s.value.size);
  const parts = (t: Tensor) => (slots.length === 1 ? [t] : tf.split(t, sizes));
  const [ms, vs, values] = [parts(m), parts(v), parts(value)];
  slots.forEach((s, i) => {
    s.m.assign(ms[i]);
    s.v.assign(vs[i]);
    s.value.assign(values[i]);
  });
}
type NamedGradients = Parameters<Adam['applyGradients']>[0];

/** AdamOptimizer's fields, public in the JS. */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: Assignable;
  accBeta2: Assignable;
  accumulatedFirstMoment: ({ originalName: string; variable: Assignable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: Assignable } | undefined)[];
  incrementIterations(): void;
}

export function shareScalarsAdam(tf: TF, learningRate: number, beta1: number, beta2: number, epsilon: number): Adam {
  const Stock = tf.AdamOptimizer as unknown as new (lr: number, b1: number, b2: number, eps: number) => Adam;

  class SharedScalarAdam extends Stock {
    override applyGradients(variableGradients: NamedGradients): void {
      const self = this as unknown as AdamState;
      const list = Array.isArray(variableGradients);
      const names = list ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
      tf.tidy(() => {
        const scalar = (n: number) => tf.scalar(n, 'float32');
        const b1 = scalar(self.beta1);
        const b2 = scalar(self.beta2);
        const oneMinusB1 = scalar(1 - self.beta1);
        const oneMinusB2 = scalar(1 - self.beta2);
        const eps = scalar(self.epsilon);
        const negLr = scalar(-self.learningRate);
        const oneMinusAccBeta1 = tf.sub(1, self.accBeta1);
        const oneMinusAccBeta2 = tf.sub(1, self.accBeta2);
        // tfjs Adam's arithmetic, op for op: [new m, new v, new value].
        const adam = (gradient: Tensor, m: Tensor, v: Tensor, value: Tensor): [Tensor, Tensor, Tensor] => {
          const newM = tf.add(tf.mul(m, b1), tf.mul(gradient, oneMinusB1));
          const newV = tf.add(tf.mul(v, b2), tf.mul(tf.square(gradient), oneMinusB2));
          const mHat = tf.div(newM, oneMinusAccBeta1);
          const vHat = tf.div(newV, oneMinusAccBeta2);
          return [newM, newV, tf.add(tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), eps)), negLr), value)];
        };
        const vectors: Slots[] = [];
        names.forEach((name, i) => {
          const value = tf.engine().registeredVariables[name] as unknown as Assignable;
          // Moment slots are created on first use, as the stock optimizer does (same names, same order).
          for (const [slots, suffix] of [
            [self.accumulatedFirstMoment, 'm'],
            [self.accumulatedSecondMoment, 'v'],
          ] as const) {
            if (slots[i] == null) {
              const variable = tf.tidy(() => tf.zerosLike(value).variable(false));
              slots[i] = { originalName: `${name}/${suffix}`, variable: variable as unknown as Assignable };
            }
          }
          const gradient = list ? variableGradients[i].tensor : (variableGradients as Record<string, Tensor>)[name];
          if (gradient == null) return;
          const slots = { gradient, m: self.accumulatedFirstMoment[i]!.variable, v: self.accumulatedSecondMoment[i]!.variable, value };
          // Biases and BatchNormalization's gamma and beta are small: their cost is per op, not per element.
          if (value.rank === 1 && gradient.rank === 1 && gradient.dtype === 'float32') vectors.push(slots);
          else assignAll(tf, [slots], adam(gradient, slots.m, slots.v, value));
        });
        if (vectors.length > 0) {
          // One update over all the vectors concatenated: the same elementwise ops, so the same numbers,
          // in 21 ops instead of 14 per vector.
          const joined = (pick: (s: Slots) => Tensor) => (vectors.length === 1 ? pick(vectors[0]) : tf.concat(vectors.map(pick)));
          assignAll(
            tf,
            vectors,
            adam(
              joined((s) => s.gradient),
              joined((s) => s.m),
              joined((s) => s.v),
              joined((s) => s.value),
            ),
          );
        }
        self.accBeta1.assign(tf.mul(self.accBeta1, b1));
        self.accBeta2.assign(tf.mul(self.accBeta2, b2));
      });
      self.incrementIterations();
    }
  }
  return new SharedScalarAdam(learningRate, beta1, beta2, epsilon);
}
