/**
 * The whole training step of a model spec as one TensorFlow graph: forward pass, loss and accuracy,
 * backward pass (written out with TensorFlow's gradient kernels), optimizer update and BatchNormalization's
 * moving statistics. The graph is functional: weights, optimizer slots and statistics go in as inputs and
 * their new values come out, so the tfjs variables stay the single source of truth (checkpoints, saving
 * and export are unchanged).
 *
 * The arithmetic follows tfjs's own training step (tfjs-layers losses and metrics, tfjs-core optimizers,
 * Layerbench's fused BatchNormalization) op for op where it matters: the same clipping of probabilities in
 * the loss, the same optimizer formulas and constants. graph-step.test.ts compares the two.
 */
import { pair, LAYER_DEFAULTS, type Activation, type LayerSpec, type ModelSpec, type TrainingSettings } from '../../../common/spec.js';
import { GraphBuilder, type Out } from './graph-def.js';
import { Ops, type Window } from './ops.js';

/** tfjs-layers' epsilon(), used to clip probabilities in the cross-entropy. */
const PROB_EPSILON = 1e-7;

export type ParamRole = 'kernel' | 'bias' | 'gamma' | 'beta';
export interface ParamRef {
  layer: number;
  role: ParamRole;
  shape: number[];
}
/** A value the step reads and replaces: a weight, an optimizer slot, a moving statistic, an optimizer scalar. */
export interface StateRef {
  key: string;
  shape: number[];
}

export interface TrainGraph {
  graph: GraphBuilder;
  /** Graph input names, in feeding order: x, y, [seed], then one per state. */
  inputNames: string[];
  /** Fetch names: loss, accuracy, then the new value of each state, in `states` order. */
  outputNames: string[];
  states: StateRef[];
  /** Whether the step takes a dropout seed (int32[2]) after x and y. */
  needsSeed: boolean;
}

const padding = (p: string | undefined): 'SAME' | 'VALID' => ((p ?? LAYER_DEFAULTS.padding) === 'same' ? 'SAME' : 'VALID');

interface Backward {
  /** Gradient of the loss with respect to this layer's input, from the one with respect to its output. */
  (dy: Out, needInput: boolean): Out | undefined;
}

class StepBuilder {
  /** training: the training step's graph; false: inference (Dropout passes through, BatchNormalization uses its moving statistics). */
  constructor(
    readonly training: boolean,
    private readonly params: ParamRef[],
  ) {}
  readonly g = new GraphBuilder();
  readonly o = new Ops(this.g);
  readonly states: StateRef[] = [];
  private readonly stateInputs = new Map<string, Out>();
  private readonly updates = new Map<string, Out>();
  readonly grads = new Map<string, Out>();
  seed: Out | undefined;
  private dropouts = 0;

  state(key: string, shape: number[]): Out {
    const existing = this.stateInputs.get(key);
    if (existing) return existing;
    const input = this.g.placeholder(`state_${this.states.length}`, 'float', shape);
    this.states.push({ key, shape });
    this.stateInputs.set(key, input);
    return input;
  }
  update(key: string, value: Out): void {
    this.updates.set(key, value);
  }
  updateOf(key: string): Out {
    const u = this.updates.get(key);
    if (!u) throw new Error(`graph step: no new value for ${key}`);
    return u;
  }

  /** Activation forward; returns the output and its backward (dy -> dz). */
  activation(z: Out, activation: Activation): [Out, (da: Out) => Out] {
    const o = this.o;
    switch (activation) {
      case 'linear':
        return [z, (da) => da];
      case 'relu': {
        const a = o.unary('Relu', z);
        return [a, (da) => o.unary('ReluGrad', da, a)];
      }
      case 'relu6':
        return [o.unary('Relu6', z), (da) => o.unary('Relu6Grad', da, z)];
      case 'elu': {
        const a = o.unary('Elu', z);
        return [a, (da) => o.unary('EluGrad', da, a)];
      }
      case 'selu': {
        const a = o.unary('Selu', z);
        return [a, (da) => o.unary('SeluGrad', da, a)];
      }
      case 'sigmoid': {
        const a = o.sigmoid(z);
        return [a, (da) => o.unary('SigmoidGrad', a, da)];
      }
      case 'tanh': {
        const a = o.unary('Tanh', z);
        return [a, (da) => o.unary('TanhGrad', a, da)];
      }
      case 'softplus':
        return [o.unary('Softplus', z), (da) => o.unary('SoftplusGrad', da, z)];
      case 'softsign':
        return [o.unary('Softsign', z), (da) => o.unary('SoftsignGrad', da, z)];
      case 'softmax': {
        const a = o.unary('Softmax', z);
        // d softmax: (da - sum(da * a)) * a, over the class axis.
        return [a, (da) => o.mul(o.sub(da, o.sum(o.mul(da, a), [-1], true)), a)];
      }
      case 'swish': {
        // tfjs: x * sigmoid(x); derivative s + x * s * (1 - s).
        const s = o.sigmoid(z);
        const a = o.mul(s, z);
        return [a, (da) => o.mul(da, o.add(s, o.mul(o.mul(z, s), o.sub(o.scalar(1), s))))];
      }
    }
  }

  /** A layer's parameter, as the spec says it is shaped; a model whose weight differs cannot use this graph. */
  param(index: number, shape: number[]): Out {
    const actual = this.params[index].shape;
    if (actual.join('x') !== shape.join('x')) {
      throw new Error(
        `${this.params[index].role} of layer ${this.params[index].layer} is ${actual.join('x')}, the spec says ${shape.join('x')}`,
      );
    }
    return this.state(`param:${index}`, shape);
  }

  /** Forward pass of one layer; returns its output and backward. */
  layer(
    layer: LayerSpec,
    layerIndex: number,
    x: Out,
    inputShape: number[],
    paramIndex: (role: ParamRole) => number | undefined,
  ): [Out, Backward] {
    const o = this.o;
    switch (layer.type) {
      case 'Conv2D':
      case 'Dense': {
        const kernelIndex = paramIndex('kernel')!;
        const biasIndex = paramIndex('bias');
        const kernelShape =
          layer.type === 'Conv2D' ? [...pair(layer.kernelSize), inputShape[3], layer.filters] : [inputShape[1], layer.units];
        const w = this.param(kernelIndex, kernelShape);
        const win: Window = {
          strides: layer.type === 'Conv2D' ? pair(layer.strides ?? LAYER_DEFAULTS.strides) : [1, 1],
          padding: layer.type === 'Conv2D' ? padding(layer.padding) : 'VALID',
        };
        const linear = layer.type === 'Conv2D' ? o.conv2d(x, w, win) : o.matMul(x, w);
        const bias = biasIndex !== undefined ? this.param(biasIndex, [kernelShape[kernelShape.length - 1]]) : undefined;
        const z = bias ? o.biasAdd(linear, bias) : linear;
        const [a, activationBackward] = this.activation(z, layer.activation ?? 'linear');
        return [
          a,
          (da, needInput) => {
            const dz = activationBackward(da);
            if (biasIndex !== undefined) this.grads.set(`param:${biasIndex}`, o.biasAddGrad(dz));
            if (layer.type === 'Conv2D') {
              this.grads.set(`param:${kernelIndex}`, o.conv2dBackpropFilter(x, kernelShape, dz, win));
              return needInput ? o.conv2dBackpropInput(o.shape(x), w, dz, win) : undefined;
            }
            this.grads.set(`param:${kernelIndex}`, o.matMul(x, dz, true, false));
            return needInput ? o.matMul(dz, w, false, true) : undefined;
          },
        ];
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const size = pair(layer.poolSize ?? LAYER_DEFAULTS.poolSize);
        const win: Window = { size, strides: pair(layer.strides ?? size), padding: padding(layer.padding) };
        if (layer.type === 'MaxPooling2D') {
          const y = o.maxPool(x, win);
          return [y, (dy) => o.maxPoolGrad(x, y, dy, win)];
        }
        return [o.avgPool(x, win), (dy) => o.avgPoolGrad(o.shape(x), dy, win)];
      }
      case 'GlobalAveragePooling2D': {
        const [, h, w, c] = inputShape;
        return [
          o.mean(x, [1, 2], false),
          (dy) => o.mul(o.broadcastTo(o.reshape(dy, o.ints([-1, 1, 1, c])), o.shape(x)), o.scalar(1 / (h * w))),
        ];
      }
      case 'Flatten': {
        const size = inputShape.slice(1).reduce((a, b) => a * b, 1);
        return [o.reshape(x, o.ints([-1, size])), (dy) => o.reshape(dy, o.shape(x))];
      }
      case 'Activation': {
        const [a, backward] = this.activation(x, layer.activation);
        return [a, (da) => backward(da)];
      }
      case 'Dropout': {
        if (layer.rate <= 0 || !this.training) return [x, (dy) => dy];
        // tfjs's dropout: floor(uniform + keep) / keep, one fresh mask per step; each layer its own stream.
        const keep = 1 - layer.rate;
        const seed = o.g.op('AddV2', [this.seed!, o.ints([0, ++this.dropouts])], { T: { type: 'int32' } });
        const mask = o.div(o.floor(o.add(o.randomUniform(o.shape(x), seed), o.scalar(keep))), o.scalar(keep));
        return [o.mul(x, mask), (dy) => o.mul(dy, mask)];
      }
      case 'BatchNormalization':
        return this.batchNorm(layer, layerIndex, x, inputShape, paramIndex);
    }
  }

  private batchNorm(
    layer: Extract<LayerSpec, { type: 'BatchNormalization' }>,
    layerIndex: number,
    x: Out,
    inputShape: number[],
    paramIndex: (role: ParamRole) => number | undefined,
  ): [Out, Backward] {
    const o = this.o;
    const channels = inputShape[inputShape.length - 1];
    const epsilon = layer.epsilon ?? LAYER_DEFAULTS.epsilon;
    const momentum = layer.momentum ?? LAYER_DEFAULTS.momentum;
    const gammaIndex = paramIndex('gamma')!;
    const betaIndex = paramIndex('beta')!;
    const gamma = this.param(gammaIndex, [channels]);
    const beta = this.param(betaIndex, [channels]);
    // The fused kernel wants NHWC; a flat [batch, features] input is the same as [batch, 1, 1, features].
    const flat = inputShape.length === 2;
    const x4 = flat ? o.reshape(x, o.ints([-1, 1, 1, channels])) : x;
    const unflatten = (t: Out) => (flat ? o.reshape(t, o.ints([-1, channels])) : t);
    if (!this.training) {
      const moving: [Out, Out] = [
        this.state(`moving:${layerIndex}:mean`, [channels]),
        this.state(`moving:${layerIndex}:variance`, [channels]),
      ];
      const [y] = o.fusedBatchNorm(x4, gamma, beta, epsilon, moving);
      return [unflatten(y), () => undefined];
    }
    const [y4, batchMean, unbiased, ...reserves] = o.fusedBatchNorm(x4, gamma, beta, epsilon);
    // TensorFlow's batch variance is Bessel-corrected (n / (n - 1), or 1 when n = 1, where it is 0);
    // tfjs's moving variance averages the biased one. The factor is a scalar, n counted at run time.
    const n = o.div(o.sizeFloat(x), o.scalar(channels));
    const biased = o.mul(unbiased, o.div(o.maximum(o.sub(n, o.scalar(1)), o.scalar(0)), n));
    for (const [role, batchValue] of [
      ['mean', batchMean],
      ['variance', biased],
    ] as const) {
      const key = `moving:${layerIndex}:${role}`;
      const old = this.state(key, [channels]);
      this.update(key, o.sub(old, o.mul(o.sub(old, batchValue), o.scalar(1 - momentum))));
    }
    return [
      unflatten(y4),
      (dy) => {
        const dy4 = flat ? o.reshape(dy, o.ints([-1, 1, 1, channels])) : dy;
        const [dx4, dGamma, dBeta] = o.fusedBatchNormGrad(dy4, x4, gamma, reserves, epsilon);
        this.grads.set(`param:${gammaIndex}`, dGamma);
        this.grads.set(`param:${betaIndex}`, dBeta);
        return flat ? o.reshape(dx4, o.shape(x)) : dx4;
      },
    ];
  }

  /**
   * tfjs-layers' categorical cross-entropy on probabilities: normalize by the row sum, clip to
   * [eps, 1 - eps], -sum(target * log), mean over the batch. Returns the loss and d loss / d probabilities.
   * The sparse loss clips once more before that, as tfjs does.
   */
  crossEntropy(p: Out, target: Out, sparse: boolean): [Out, Out] {
    const o = this.o;
    const hi = 1 - PROB_EPSILON;
    const p0 = sparse ? o.clip(p, PROB_EPSILON, hi) : p;
    const s = o.sum(p0, [-1], true);
    const q = o.div(p0, s);
    const r = o.clip(q, PROB_EPSILON, hi);
    const perExample = o.neg(o.sum(o.mul(target, o.log(r)), [-1], false));
    const loss = o.mean(perExample, [0], false);
    const batch = o.sizeFloat(perExample);
    const dr = o.div(o.div(o.neg(target), batch), r);
    const dq = o.mul(dr, o.insideMask(q, PROB_EPSILON, hi));
    // q = p0 / s: dp0 = (dq - sum(dq * q)) / s.
    const dp0 = o.div(o.sub(dq, o.sum(o.mul(dq, q), [-1], true)), s);
    const dp = sparse ? o.mul(dp0, o.insideMask(p, PROB_EPSILON, hi)) : dp0;
    return [loss, dp];
  }

  /** New values of a parameter and its slots, by tfjs's formula for the optimizer. */
  /**
   * New values of the parameters `indices` and their slots, by tfjs's formula for the optimizer. Several
   * parameters are updated as one concatenated vector (the biases and BatchNormalization's gamma and beta:
   * small, so their cost is per op, not per element); elementwise, that gives the same numbers.
   */
  optimize(settings: TrainingSettings, indices: number[], adam?: { oneMinusAccBeta1: Out; oneMinusAccBeta2: Out }): void {
    const o = this.o;
    const shapes = indices.map((i) => this.params[i].shape);
    const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
    // One tensor per parameter, or all of them end to end.
    const joined = (tensorOf: (i: number, k: number) => Out) => {
      const parts = indices.map(tensorOf);
      return parts.length === 1 ? parts[0] : o.concat(parts);
    };
    const grad = joined((i) => {
      const g = this.grads.get(`param:${i}`);
      if (!g) throw new Error(`graph step: no gradient for ${this.params[i].role} of layer ${this.params[i].layer}`);
      return g;
    });
    const value = joined((i, k) => this.state(`param:${i}`, shapes[k]));
    const slot = (suffix: string) => joined((i, k) => this.state(`slot:${suffix}:${i}`, shapes[k]));
    const store = (key: (i: number) => string, t: Out) => {
      const parts = indices.length === 1 ? [t] : o.split(t, sizes);
      indices.forEach((i, k) => this.update(key(i), parts[k]));
    };
    const lr = settings.learningRate;
    switch (settings.optimizer) {
      case 'adam': {
        const [b1, b2, eps] = [0.9, 0.999, 1e-7];
        const m = o.add(o.mul(slot('m'), o.scalar(b1)), o.mul(grad, o.scalar(1 - b1)));
        const v = o.add(o.mul(slot('v'), o.scalar(b2)), o.mul(o.square(grad), o.scalar(1 - b2)));
        const mHat = o.div(m, adam!.oneMinusAccBeta1);
        const vHat = o.div(v, adam!.oneMinusAccBeta2);
        store((i) => `slot:m:${i}`, m);
        store((i) => `slot:v:${i}`, v);
        store((i) => `param:${i}`, o.add(o.mul(o.div(mHat, o.add(o.sqrt(vHat), o.scalar(eps))), o.scalar(-lr)), value));
        return;
      }
      case 'sgd': {
        if (settings.momentum > 0) {
          const accumulation = o.add(o.mul(o.scalar(settings.momentum), slot('momentum')), grad);
          store((i) => `slot:momentum:${i}`, accumulation);
          store((i) => `param:${i}`, o.add(o.mul(o.scalar(-lr), accumulation), value));
        } else {
          store((i) => `param:${i}`, o.add(o.mul(o.scalar(-lr), grad), value));
        }
        return;
      }
      case 'rmsprop': {
        const [rho, eps] = [0.9, 1e-7];
        const meanSquare = o.add(o.mul(slot('rms'), o.scalar(rho)), o.mul(o.square(grad), o.scalar(1 - rho)));
        const moment = o.add(
          o.mul(slot('momentum'), o.scalar(settings.momentum)),
          o.div(o.mul(grad, o.scalar(lr)), o.sqrt(o.add(meanSquare, o.scalar(eps)))),
        );
        store((i) => `slot:rms:${i}`, meanSquare);
        store((i) => `slot:momentum:${i}`, moment);
        store((i) => `param:${i}`, o.sub(value, moment));
        return;
      }
    }
  }
}

export interface GraphModelPlan {
  spec: ModelSpec;
  /** Each layer's input shape with the batch dimension as -1 (from summarize). */
  inputShapes: number[][];
  /** The trainable parameters in the optimizer's order (tfjs's collectedTrainableWeights). */
  params: ParamRef[];
  numClasses: number;
}

/** Position of a layer's parameter in the optimizer's order (undefined: the layer has none, e.g. no bias). */
function paramIndexOf(plan: GraphModelPlan, layer: number, role: ParamRole): number | undefined {
  const k = plan.params.findIndex((p) => p.layer === layer && p.role === role);
  return k >= 0 ? k : undefined;
}

export function buildTrainGraph(plan: GraphModelPlan, settings: TrainingSettings): TrainGraph {
  const b = new StepBuilder(true, plan.params);
  const o = b.o;
  const sparse = settings.loss === 'sparseCategoricalCrossentropy';
  const x = b.g.placeholder('x', 'float', [-1, ...plan.spec.inputShape]);
  const y = b.g.placeholder('y', 'float', [-1, sparse ? 1 : plan.numClasses]);
  const needsSeed = plan.spec.layers.some((l) => l.type === 'Dropout' && l.rate > 0);
  if (needsSeed) b.seed = b.g.placeholder('seed', 'int32', [2]);

  // Forward, keeping each layer's backward.
  let h = x;
  const backwards: Backward[] = [];
  plan.spec.layers.forEach((layer, i) => {
    const paramIndex = (role: ParamRole) => paramIndexOf(plan, i, role);
    const [out, backward] = b.layer(layer, i, h, plan.inputShapes[i], paramIndex);
    h = out;
    backwards.push(backward);
  });

  const target = sparse ? o.oneHot(o.castFloatToInt(o.reshape(y, o.ints([-1]))), plan.numClasses) : y;
  const [loss, dProbabilities] = b.crossEntropy(h, target, sparse);
  const accuracy = o.mean(o.castToFloat(o.equalInt(o.argmax(target), o.argmax(h)), 'bool'), [0], false);

  // Backward: the first layer with parameters needs no gradient for its input.
  const firstWithParams = plan.params.length > 0 ? Math.min(...plan.params.map((p) => p.layer)) : plan.spec.layers.length;
  let grad: Out | undefined = dProbabilities;
  for (let i = backwards.length - 1; i >= firstWithParams && grad !== undefined; i--) {
    grad = backwards[i](grad, i > firstWithParams);
  }

  // Optimizer.
  let adam: { oneMinusAccBeta1: Out; oneMinusAccBeta2: Out } | undefined;
  if (settings.optimizer === 'adam') {
    const acc1 = b.state('opt:accBeta1', []);
    const acc2 = b.state('opt:accBeta2', []);
    adam = { oneMinusAccBeta1: o.sub(o.scalar(1), acc1), oneMinusAccBeta2: o.sub(o.scalar(1), acc2) };
  }
  const vectors = plan.params.flatMap((p, i) => (p.shape.length === 1 ? [i] : []));
  plan.params.forEach((p, i) => {
    if (p.shape.length !== 1) b.optimize(settings, [i], adam);
  });
  if (vectors.length > 0) b.optimize(settings, vectors, adam);
  if (adam) {
    b.update('opt:accBeta1', o.mul(b.state('opt:accBeta1', []), o.scalar(0.9)));
    b.update('opt:accBeta2', o.mul(b.state('opt:accBeta2', []), o.scalar(0.999)));
  }

  const outputNames = [b.g.output('loss', loss), b.g.output('accuracy', accuracy)];
  b.states.forEach((s, k) => outputNames.push(b.g.output(`new_state_${k}`, b.updateOf(s.key))));
  const inputNames = ['x', 'y', ...(needsSeed ? ['seed'] : []), ...b.states.map((_, k) => `state_${k}`)];
  return { graph: b.g, inputNames, outputNames, states: b.states, needsSeed };
}

export interface InferenceGraph {
  graph: GraphBuilder;
  /** x, then one per state (weights and moving statistics). */
  inputNames: string[];
  /** The class probabilities (the last layer's output). */
  outputNames: string[];
  states: StateRef[];
}

/** The forward pass alone, in inference mode: what model.predict computes. */
export function buildInferenceGraph(plan: GraphModelPlan): InferenceGraph {
  const b = new StepBuilder(false, plan.params);
  let h = b.g.placeholder('x', 'float', [-1, ...plan.spec.inputShape]);
  plan.spec.layers.forEach((layer, i) => {
    const paramIndex = (role: ParamRole) => paramIndexOf(plan, i, role);
    [h] = b.layer(layer, i, h, plan.inputShapes[i], paramIndex);
  });
  const outputNames = [b.g.output('probabilities', h)];
  return { graph: b.g, inputNames: ['x', ...b.states.map((_, k) => `state_${k}`)], outputNames, states: b.states };
}
