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
import type { ModelSpec, TrainingSettings } from '../../../common/spec.js';
import type { LayersModel, Tensor, TF } from '../tf-types.js';
import { GraphSession, graphsWanted } from './session.js';
import { bindState, modelPlan, type Binding, type LayerVariable, type OptimizerState } from './model-plan.js';
import { buildTrainGraph, type StateRef } from './train-graph.js';

export interface TrainStep {
  /** 'graph': one TensorFlow graph run per batch; 'eager': tfjs's trainOnBatch. */
  kind: 'graph' | 'eager';
  /** Trains on one batch; returns [loss, accuracy]. */
  run(xs: Tensor, ys: Tensor): Promise<[number, number]>;
  dispose(): void;
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
    const { plan, trainable } = modelPlan(model, spec, numClasses);
    const built = buildTrainGraph(plan, settings);
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
  if (!graphsWanted(tf)) return eager;
  try {
    return GraphTrainStep.create(tf, model, spec, settings, numClasses);
  } catch (e) {
    log(`Training with the eager step: the one-graph step could not be built (${e instanceof Error ? e.message : String(e)})`);
    return eager;
  }
}
