/**
 * The whole training step of a model spec as one TensorFlow graph: forward pass, loss and accuracy,
 * backward pass (written out with TensorFlow's gradient kernels), optimizer update and BatchNormalization's
 * moving statistics. Weights, optimizer slots and statistics are TensorFlow variables of the session,
 * updated in place; the graph's `load` and `sync` entries copy them from and to the tfjs model, which
 * stays their owner (graph-step.ts). The inference graph is the forward pass alone, fed the weights.
 *
 * The arithmetic follows tfjs's own training step (tfjs-layers losses and metrics, tfjs-core optimizers,
 * Layerbench's fused BatchNormalization) where it matters: the same clipping of probabilities in the loss,
 * the same optimizer formulas and constants. graph-step.test.ts compares the two.
 */
import type { Activation, LayerSpec, ModelSpec, TrainingSettings } from '../../../common/spec.js';
import { KERAS_LEAKY_RELU_SLOPE } from '../../../common/layers/basics.js';
import { engineOf, type GraphLayerArgs } from '../layers/index.js';
import { GraphBuilder, type Out } from './graph-def.js';
import { isMergeType } from '../../../common/model-graph.js';
import { sumAll, type MergeBackward } from './merge-ops.js';
import { Ops } from './ops.js';

/** tfjs-layers' epsilon(), used to clip probabilities in the cross-entropy. */
const PROB_EPSILON = 1e-7;

/** The tfjs layer's field holding a trainable weight. */
export type ParamRole = 'kernel' | 'depthwiseKernel' | 'pointwiseKernel' | 'bias' | 'gamma' | 'beta';
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

/**
 * The training step's graph. Its weights, optimizer slots and statistics live in TensorFlow variables
 * inside the session between steps; three entry points move them: `load` copies tfjs's values in,
 * `step` trains on a batch and updates them in place, `sync` reads them all out for tfjs.
 */
export interface TrainGraph {
  graph: GraphBuilder;
  states: StateRef[];
  /** Feed x, y, the learning rate (a float scalar) and, when `needsSeed`, the dropout seed (int32[2]); fetch loss and accuracy. */
  step: { inputNames: string[]; outputNames: string[] };
  needsSeed: boolean;
  /** Feed every state's value, in `states` order; fetch one scalar once they are all assigned. */
  load: { inputNames: string[]; outputNames: string[] };
  /** Feed nothing; fetch every state's current value, in `states` order. */
  sync: { outputNames: string[] };
}

export interface Backward {
  /** Gradient of the loss with respect to this layer's input, from the one with respect to its output. */
  (dy: Out, needInput: boolean): Out | undefined;
}

let graphs = 0;

export class StepBuilder {
  /** training: the training step's graph; false: inference (Dropout passes through, BatchNormalization uses its moving statistics). */
  constructor(
    readonly training: boolean,
    private readonly params: ParamRef[],
  ) {}
  readonly g = new GraphBuilder();
  readonly o = new Ops(this.g);
  readonly states: StateRef[] = [];
  private readonly stateInputs = new Map<string, Out>();
  private readonly handles = new Map<string, Out>();
  /** The ops that change variables; the step's outputs wait for all of them. */
  readonly effects: Out[] = [];
  /** Variable names unique to this graph, so two sessions can never share one. */
  private readonly prefix = `layerbench_${process.pid}_${++graphs}`;
  readonly grads = new Map<string, Out>();
  seed: Out | undefined;
  /** The learning rate, fed at each step so a schedule can change it (lr-schedule.ts). */
  lr: Out | undefined;
  private dropouts = 0;

  /**
   * A value the graph reads: in the training graph a TensorFlow variable (`handles` keeps its handle), in
   * the inference graph a placeholder fed at each run.
   */
  state(key: string, shape: number[]): Out {
    const existing = this.stateInputs.get(key);
    if (existing) return existing;
    const k = this.states.length;
    let value: Out;
    if (this.training) {
      const handle = this.g.op(
        'VarHandleOp',
        [],
        { dtype: { type: 'float' }, shape: { shape }, container: { s: '' }, shared_name: { s: `${this.prefix}_${k}` } },
        `var_${k}`,
      );
      this.handles.set(key, handle);
      value = this.g.op('ReadVariableOp', [handle], { dtype: { type: 'float' } }, `read_${k}`);
    } else {
      value = this.g.placeholder(`state_${k}`, 'float', shape);
    }
    this.states.push({ key, shape });
    this.stateInputs.set(key, value);
    return value;
  }
  handle(key: string): Out {
    const h = this.handles.get(key);
    if (!h) throw new Error(`graph step: no variable for ${key}`);
    return h;
  }
  /** Replaces a state's value at the end of the step. */
  update(key: string, value: Out): void {
    this.effects.push(this.g.op('AssignVariableOp', [this.handle(key), value], { dtype: { type: 'float' } }));
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
      case 'gelu': {
        // Keras 3's default (approximate=False) and tfjs's gelu: z * Phi(z), Phi(z) = (1 + erf(z / sqrt 2)) / 2;
        // derivative Phi(z) + z * exp(-z^2 / 2) / sqrt(2 pi).
        const phi = o.mul(o.scalar(0.5), o.add(o.scalar(1), o.unary('Erf', o.mul(z, o.scalar(Math.SQRT1_2)))));
        const density = o.mul(o.unary('Exp', o.mul(o.mul(z, z), o.scalar(-0.5))), o.scalar(1 / Math.sqrt(2 * Math.PI)));
        return [o.mul(z, phi), (da) => o.mul(da, o.add(phi, o.mul(z, density)))];
      }
      case 'leaky_relu': {
        // The gradient reads the output, not z: with a slope >= 0 both have the same sign, and TensorFlow's
        // remapper, which fuses Conv2D/MatMul + BiasAdd + LeakyRelu and drops the BiasAdd, then finds every
        // node it needs (with z it logs "remapper failed ... LeakyReluGrad" on every run).
        const a = o.leakyRelu(z, KERAS_LEAKY_RELU_SLOPE);
        return [a, (da) => o.leakyReluGrad(da, a, KERAS_LEAKY_RELU_SLOPE)];
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

  /**
   * Forward pass of one layer, from its engine part (main/engine/layers/); returns its output and backward
   * (a merge's backward gives one gradient per input).
   */
  layer(layer: LayerSpec, args: GraphLayerArgs): [Out, Backward | MergeBackward] {
    return engineOf(layer).graph(this, layer, args);
  }

  /** A fresh random stream for the next Dropout layer of this graph. */
  nextDropoutStream(): number {
    return ++this.dropouts;
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
   * Updates a parameter and its slots in place with TensorFlow's fused optimizer kernels, which compute
   * tfjs's formulas: Momentum and RMSprop term for term; Adam with its epsilon scaled by
   * sqrt(1 - beta2^t), which makes TensorFlow's form (bias correction folded into the learning rate)
   * equal to tfjs's (bias-corrected moments), up to rounding.
   */
  optimize(settings: TrainingSettings, index: number, adam?: { beta1Power: Out; beta2Power: Out }): void {
    const o = this.o;
    const grad = this.grads.get(`param:${index}`);
    const p = this.params[index];
    if (!grad) throw new Error(`graph step: no gradient for ${p.role} of layer ${p.layer}`);
    this.state(`param:${index}`, p.shape);
    const variable = this.handle(`param:${index}`);
    const slot = (suffix: string) => {
      this.state(`slot:${suffix}:${index}`, p.shape);
      return this.handle(`slot:${suffix}:${index}`);
    };
    const lr = this.lr ?? o.scalar(settings.learningRate);
    const attrs = { T: { type: 'float' as const }, use_locking: { b: false } };
    switch (settings.optimizer) {
      case 'adam': {
        const [b1, b2, eps] = [0.9, 0.999, 1e-7];
        const epsilon = o.mul(o.scalar(eps), o.sqrt(o.sub(o.scalar(1), adam!.beta2Power)));
        const inputs = [variable, slot('m'), slot('v'), adam!.beta1Power, adam!.beta2Power, lr, o.scalar(b1), o.scalar(b2), epsilon, grad];
        this.effects.push(this.g.op('ResourceApplyAdam', inputs, { ...attrs, use_nesterov: { b: false } }));
        return;
      }
      case 'sgd':
        if (settings.momentum > 0) {
          const inputs = [variable, slot('momentum'), lr, grad, o.scalar(settings.momentum)];
          this.effects.push(this.g.op('ResourceApplyMomentum', inputs, { ...attrs, use_nesterov: { b: false } }));
        } else {
          this.effects.push(this.g.op('ResourceApplyGradientDescent', [variable, lr, grad], attrs));
        }
        return;
      case 'rmsprop': {
        const inputs = [variable, slot('rms'), slot('momentum'), lr, o.scalar(0.9), o.scalar(settings.momentum), o.scalar(1e-7), grad];
        this.effects.push(this.g.op('ResourceApplyRMSProp', inputs, attrs));
        return;
      }
    }
  }
}

export interface GraphModelPlan {
  spec: ModelSpec;
  /** Each layer's (first) input shape with the batch dimension as -1 (from summarize). */
  inputShapes: number[][];
  /** The layers each layer reads, -1 for the model input (from summarize; a chain reads i - 1). */
  inputs: number[][];
  /** Each layer's output shape with the batch dimension as -1. */
  outputShapes: number[][];
  /** The trainable parameters in the optimizer's order (tfjs's collectedTrainableWeights). */
  params: ParamRef[];
  numClasses: number;
}

/** Position of a layer's parameter in the optimizer's order (undefined: the layer has none, e.g. no bias). */
function paramIndexOf(plan: GraphModelPlan, layer: number, role: ParamRole): number | undefined {
  const k = plan.params.findIndex((p) => p.layer === layer && p.role === role);
  return k >= 0 ? k : undefined;
}

/** A layer's backward in the walk: one gradient per input it reads. */
type LayerBackward = MergeBackward;

/**
 * The forward pass over the spec's graph, in list order (a topological order): each layer applied to the
 * outputs of the layers it reads. Returns the last layer's output and every layer's backward.
 */
function forwardPass(b: StepBuilder, plan: GraphModelPlan, x: Out): { output: Out; backwards: LayerBackward[] } {
  const outputs: Out[] = [];
  const backwards: LayerBackward[] = [];
  plan.spec.layers.forEach((layer, i) => {
    const inputs = plan.inputs[i].map((j) => (j < 0 ? x : outputs[j]));
    const inputShapes = plan.inputs[i].map((j) => (j < 0 ? [-1, ...plan.spec.inputShape] : plan.outputShapes[j]));
    const paramIndex = (role: ParamRole) => paramIndexOf(plan, i, role);
    const [out, backward] = b.layer(layer, { layerIndex: i, inputs, inputShapes, paramIndex });
    outputs.push(out);
    const single = backward as Backward;
    backwards.push(isMergeType(layer.type) ? (backward as MergeBackward) : (dy, need) => [single(dy, need[0])]);
  });
  return { output: outputs[outputs.length - 1], backwards };
}

/**
 * The backward pass over the graph, from the last layer to the first. A layer's gradient is the sum of
 * what every layer reading it passes back (a branch: AddN of the parts); only layers with parameters at
 * or before them need one, and no gradient is computed for the model input.
 */
function backwardPass(b: StepBuilder, plan: GraphModelPlan, backwards: LayerBackward[], dOutput: Out): void {
  const count = plan.spec.layers.length;
  const withParams = new Set(plan.params.map((p) => p.layer));
  const needsGrad: boolean[] = [];
  for (let i = 0; i < count; i++) needsGrad.push(withParams.has(i) || plan.inputs[i].some((j) => j >= 0 && needsGrad[j]));
  const parts: Out[][] = Array.from({ length: count }, () => []);
  parts[count - 1].push(dOutput);
  for (let i = count - 1; i >= 0; i--) {
    if (!needsGrad[i] || parts[i].length === 0) continue;
    const need = plan.inputs[i].map((j) => j >= 0 && needsGrad[j]);
    const dxs = backwards[i](sumAll(b.o, parts[i]), need);
    plan.inputs[i].forEach((j, k) => {
      const dx = dxs[k];
      if (need[k] && dx !== undefined) parts[j].push(dx);
    });
  }
}

export function buildTrainGraph(plan: GraphModelPlan, settings: TrainingSettings): TrainGraph {
  const b = new StepBuilder(true, plan.params);
  const o = b.o;
  const sparse = settings.loss === 'sparseCategoricalCrossentropy';
  const x = b.g.placeholder('x', 'float', [-1, ...plan.spec.inputShape]);
  const y = b.g.placeholder('y', 'float', [-1, sparse ? 1 : plan.numClasses]);
  const needsSeed = plan.spec.layers.some((l) => l.type === 'Dropout' && l.rate > 0);
  b.lr = b.g.placeholder('lr', 'float', []);
  if (needsSeed) b.seed = b.g.placeholder('seed', 'int32', [2]);

  // Forward, keeping each layer's backward.
  const { output: h, backwards } = forwardPass(b, plan, x);

  const target = sparse ? o.oneHot(o.castFloatToInt(o.reshape(y, o.ints([-1]))), plan.numClasses) : y;
  const [loss, dProbabilities] = b.crossEntropy(h, target, sparse);
  const accuracy = o.mean(o.castToFloat(o.equalInt(o.argmax(target), o.argmax(h)), 'bool'), [0], false);

  backwardPass(b, plan, backwards, dProbabilities);

  // Optimizer: tfjs's Adam keeps beta^t in its accBeta1/accBeta2 variables, updated after the step.
  let adam: { beta1Power: Out; beta2Power: Out } | undefined;
  if (settings.optimizer === 'adam') {
    adam = { beta1Power: b.state('opt:accBeta1', []), beta2Power: b.state('opt:accBeta2', []) };
  }
  plan.params.forEach((_, i) => b.optimize(settings, i, adam));
  if (adam) {
    b.update('opt:accBeta1', o.mul(adam.beta1Power, o.scalar(0.9)));
    b.update('opt:accBeta2', o.mul(adam.beta2Power, o.scalar(0.999)));
  }

  // The step's outputs wait for every update, so fetching them runs the whole step.
  const effects = [...b.effects];
  const step = {
    inputNames: ['x', 'y', 'lr', ...(needsSeed ? ['seed'] : [])],
    outputNames: [b.g.output('loss', loss, 'float', effects), b.g.output('accuracy', accuracy, 'float', effects)],
  };
  const loads = b.states.map((s, k) => {
    const value = b.g.placeholder(`load_${k}`, 'float', s.shape);
    return b.g.op('AssignVariableOp', [b.handle(s.key), value], { dtype: { type: 'float' } });
  });
  const load = {
    inputNames: b.states.map((_, k) => `load_${k}`),
    outputNames: [b.g.output('loaded', b.g.scalar(1), 'float', loads)],
  };
  const sync = { outputNames: b.states.map((s, k) => b.g.output(`value_${k}`, b.state(s.key, s.shape))) };
  return { graph: b.g, states: b.states, step, needsSeed, load, sync };
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
  const { output: h } = forwardPass(b, plan, b.g.placeholder('x', 'float', [-1, ...plan.spec.inputShape]));
  const outputNames = [b.g.output('probabilities', h)];
  return { graph: b.g, inputNames: ['x', ...b.states.map((_, k) => `state_${k}`)], outputNames, states: b.states };
}
