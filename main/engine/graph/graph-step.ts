/**
 * The training step on native TensorFlow: one graph run per batch (train-graph.ts) instead of tfjs's
 * eager step, which dispatches some 280-390 TensorFlow ops one by one for the seed CNN. The tfjs model
 * and optimizer keep owning every value: each step feeds them in and writes the new values back, so
 * checkpoints, resume, saving and export see exactly what they would after `trainOnBatch`.
 *
 * `makeTrainStep` picks it when the backend is native TensorFlow, and falls back to `trainOnBatch`
 * (with a log line saying why) when it is not, when LAYERBENCH_EAGER_STEP=1 or LAYERBENCH_STOCK_KERNELS=1
 * asks for the eager step, or when TensorFlow rejects the graph.
 */
import { summarize } from '../../../common/summarize.js';
import type { ModelSpec, TrainingSettings } from '../../../common/spec.js';
import type { LayersModel, Tensor, TF } from '../tf-types.js';
import { GraphSession } from './session.js';
import { buildTrainGraph, type ParamRef, type ParamRole, type StateRef } from './train-graph.js';

interface LayerVariable {
  name: string;
  shape: number[];
  read(): Tensor;
  write(value: Tensor): void;
}
type Assignable = Tensor & { assign(value: Tensor): void; name: string };
interface Slot {
  originalName: string;
  variable: Assignable;
}
/** The optimizer fields the step reads and writes (public in tfjs's JS). */
type OptimizerState = Record<string, unknown> & { incrementIterations(): void };

/** Where each optimizer slot suffix lives on the tfjs optimizer. */
const SLOT_FIELDS: Record<string, Record<string, string>> = {
  adam: { m: 'accumulatedFirstMoment', v: 'accumulatedSecondMoment' },
  sgd: { momentum: 'accumulations' },
  rmsprop: { rms: 'accumulatedMeanSquares', momentum: 'accumulatedMoments' },
};

export interface TrainStep {
  /** 'graph': one TensorFlow graph run per batch; 'eager': tfjs's trainOnBatch. */
  kind: 'graph' | 'eager';
  /** Trains on one batch; returns [loss, accuracy]. */
  run(xs: Tensor, ys: Tensor): Promise<[number, number]>;
  dispose(): void;
}

interface Binding {
  read(): Tensor;
  write(value: Tensor): void;
}

export class GraphTrainStep implements TrainStep {
  readonly kind = 'graph';
  private readonly bindings: Binding[];

  private constructor(
    private readonly tf: TF,
    private readonly session: GraphSession,
    states: StateRef[],
    private readonly needsSeed: boolean,
    private readonly optimizer: OptimizerState,
    model: LayersModel,
    trainable: LayerVariable[],
    settings: TrainingSettings,
  ) {
    this.bindings = states.map((s) => bindState(tf, s, model, trainable, optimizer, settings));
  }

  /** Builds and loads the graph for this model; throws when that is not possible. */
  static create(tf: TF, model: LayersModel, spec: ModelSpec, settings: TrainingSettings, numClasses: number): GraphTrainStep {
    const summary = summarize(spec, { numClasses });
    if (!summary.ok) throw new Error(summary.errors[0].message);
    const inputShapes = spec.layers.map((_, i) => [-1, ...(i === 0 ? spec.inputShape : summary.layers[i - 1].outputShape!)]);
    const trainable = ((model as unknown as { collectedTrainableWeights?: LayerVariable[] }).collectedTrainableWeights ??
      model.trainableWeights) as unknown as LayerVariable[];
    const params: ParamRef[] = trainable.map((v) => {
      const found = findParam(model, v);
      if (!found) throw new Error(`weight ${v.name} belongs to no layer the graph step knows`);
      return { ...found, shape: [...v.shape] };
    });
    const built = buildTrainGraph({ spec, inputShapes, params, numClasses }, settings);
    const optimizer = model.optimizer as unknown as OptimizerState;
    const session = GraphSession.load(tf, built.graph, built.inputNames, built.outputNames);
    return new GraphTrainStep(tf, session, built.states, built.needsSeed, optimizer, model, trainable, settings);
  }

  async run(xs: Tensor, ys: Tensor): Promise<[number, number]> {
    const tf = this.tf;
    // Dropout's masks: a fresh seed per step from Math.random, which the training loop seeds per epoch.
    const seed = this.needsSeed ? [tf.tensor1d([randomInt(), randomInt()], 'int32')] : [];
    let outputs: Tensor[];
    try {
      outputs = this.session.run([xs, ys, ...seed, ...this.bindings.map((b) => b.read())]);
    } finally {
      tf.dispose(seed);
    }
    const [loss, accuracy, ...updates] = outputs;
    updates.forEach((t, k) => this.bindings[k].write(t));
    tf.dispose(updates);
    this.optimizer.incrementIterations();
    const values: [number, number] = [(await loss.data())[0], (await accuracy.data())[0]];
    tf.dispose([loss, accuracy]);
    return values;
  }

  dispose(): void {
    this.session.dispose();
  }
}

const randomInt = () => Math.floor(Math.random() * 0x7fffffff);

function findParam(model: LayersModel, variable: LayerVariable): { layer: number; role: ParamRole } | undefined {
  for (const [layer, l] of model.layers.entries()) {
    const fields = l as unknown as Record<string, unknown>;
    for (const role of ['kernel', 'bias', 'gamma', 'beta'] as const) {
      if (fields[role] === variable) return { layer, role };
    }
  }
  return undefined;
}

function bindState(
  tf: TF,
  state: StateRef,
  model: LayersModel,
  trainable: LayerVariable[],
  optimizer: OptimizerState,
  settings: TrainingSettings,
): Binding {
  const [kind, a, b] = state.key.split(':');
  if (kind === 'param') {
    const v = trainable[Number(a)];
    return { read: () => v.read(), write: (t) => v.write(t) };
  }
  if (kind === 'moving') {
    const layer = model.layers[Number(a)] as unknown as Record<string, LayerVariable>;
    const v = layer[b === 'mean' ? 'movingMean' : 'movingVariance'];
    return { read: () => v.read(), write: (t) => v.write(t) };
  }
  if (kind === 'opt') {
    // Read the field each time: setWeights (a resume) replaces nothing here, but stay safe.
    const variable = () => optimizer[a] as Assignable;
    return { read: () => variable(), write: (t) => variable().assign(t) };
  }
  // Optimizer slots are made on first use, as tfjs's optimizers do, with the same names; setWeights (a
  // resume) replaces the arrays, so they are looked up on every step.
  const field = SLOT_FIELDS[settings.optimizer][a];
  const index = Number(b);
  const slot = (): Assignable => {
    const slots = optimizer[field] as (Slot | undefined)[];
    if (slots[index] == null) {
      const value = trainable[index].read() as Assignable;
      slots[index] = {
        originalName: `${value.name}/${a}`,
        variable: tf.tidy(() => tf.zerosLike(value).variable(false)) as unknown as Assignable,
      };
    }
    return slots[index]!.variable;
  };
  return { read: slot, write: (t) => slot().assign(t) };
}

/** The graph step where it can run, else tfjs's trainOnBatch; `log` hears why the eager step was chosen. */
export function makeTrainStep(
  tf: TF,
  model: LayersModel,
  spec: ModelSpec,
  settings: TrainingSettings,
  numClasses: number,
  log: (message: string) => void,
): TrainStep {
  const eager: TrainStep = {
    kind: 'eager',
    run: async (xs, ys) => {
      const out = await model.trainOnBatch(xs, ys);
      return Array.isArray(out) ? [out[0], out[1]] : [out, NaN];
    },
    dispose: () => {},
  };
  if (tf.getBackend() !== 'tensorflow') return eager;
  if (process.env.LAYERBENCH_EAGER_STEP === '1' || process.env.LAYERBENCH_STOCK_KERNELS === '1') return eager;
  try {
    return GraphTrainStep.create(tf, model, spec, settings, numClasses);
  } catch (e) {
    log(`Training with the eager step: the one-graph step could not be built (${e instanceof Error ? e.message : String(e)})`);
    return eager;
  }
}
