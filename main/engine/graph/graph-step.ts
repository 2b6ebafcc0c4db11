/**
 * The training step on native TensorFlow: one graph run per batch (train-graph.ts) instead of tfjs's
 * eager step, which dispatches some 280-390 TensorFlow ops one by one for the seed CNN. The weights,
 * optimizer slots and statistics stay in TensorFlow variables between batches, updated in place by fused
 * kernels; `sync()` copies them back into the tfjs model and optimizer, which stay their owners: after a
 * sync, checkpoints, resume, saving and export find the same variables, names and optimizer state as after
 * `trainOnBatch` (the values agree with tfjs's arithmetic up to rounding; graph-step.test.ts).
 *
 * `makeTrainStep` picks it when the backend is native TensorFlow, and falls back to `trainOnBatch`
 * (with a log line saying why) when it is not, when LAYERBENCH_EAGER_STEP=1 asks for the eager step, or
 * when TensorFlow rejects the graph.
 */
import type { ModelSpec, TrainingSettings } from '../../../common/spec.js';
import type { LayersModel, Tensor, TF } from '../tf-types.js';
import { GraphSession, graphsWanted } from './session.js';
import type { ModelLayer } from '../model-layers.js';
import { bindState, modelPlan, type Binding, type LayerVariable, type OptimizerState } from './model-plan.js';
import { buildTrainGraph, type TrainGraph } from './train-graph.js';

export interface TrainStep {
  /** 'graph': one TensorFlow graph run per batch; 'eager': tfjs's trainOnBatch. */
  kind: 'graph' | 'eager';
  /** Trains on one batch at this learning rate (absent: the settings' own); returns [loss, accuracy]. */
  run(xs: Tensor, ys: Tensor, learningRate?: number): Promise<[number, number]>;
  /**
   * Brings the tfjs model's and optimizer's variables up to date. The graph step keeps them in TensorFlow
   * between batches; call this before anything reads the model (validation, checkpoints, saving).
   */
  sync(): void;
  dispose(): void;
}

export class GraphTrainStep implements TrainStep {
  readonly kind = 'graph';
  private readonly bindings: Binding[];
  /** Whether the session's variables are ahead of the tfjs ones (a step ran since the last sync). */
  private ahead = false;

  private constructor(
    private readonly tf: TF,
    private readonly session: GraphSession,
    private readonly graph: TrainGraph,
    private readonly optimizer: OptimizerState,
    layers: ModelLayer[],
    trainable: LayerVariable[],
    private readonly settings: TrainingSettings,
  ) {
    this.bindings = graph.states.map((s) => bindState(tf, s, layers, trainable, optimizer, settings));
  }

  /** Builds and loads the graph for this model and copies its current weights in; throws when that is not possible. */
  static create(tf: TF, model: LayersModel, spec: ModelSpec, settings: TrainingSettings, numClasses: number): GraphTrainStep {
    const { plan, trainable, layers } = modelPlan(model, spec, numClasses);
    const built = buildTrainGraph(plan, settings);
    const optimizer = model.optimizer as unknown as OptimizerState;
    const session = GraphSession.load(tf, built.graph);
    const step = new GraphTrainStep(tf, session, built, optimizer, layers, trainable, settings);
    try {
      step.load();
    } catch (e) {
      session.dispose();
      throw e;
    }
    return step;
  }

  /** Copies the tfjs model's and optimizer's values into the session (creating missing optimizer slots). */
  private load(): void {
    const { inputNames, outputNames } = this.graph.load;
    this.tf.dispose(
      this.session.run(
        inputNames,
        this.bindings.map((b) => b.read()),
        outputNames,
      ),
    );
    this.ahead = false;
  }

  async run(xs: Tensor, ys: Tensor, learningRate = this.settings.learningRate): Promise<[number, number]> {
    const tf = this.tf;
    // Dropout's masks: a fresh seed per step from Math.random, which the training loop seeds per epoch.
    const seed = this.graph.needsSeed ? [tf.tensor1d([randomInt(), randomInt()], 'int32')] : [];
    const lr = tf.scalar(learningRate);
    let outputs: Tensor[];
    try {
      this.ahead = true;
      outputs = this.session.run(this.graph.step.inputNames, [xs, ys, lr, ...seed], this.graph.step.outputNames);
    } finally {
      tf.dispose([lr, ...seed]);
    }
    this.optimizer.incrementIterations();
    const [loss, accuracy] = outputs;
    const values: [number, number] = [(await loss.data())[0], (await accuracy.data())[0]];
    tf.dispose(outputs);
    return values;
  }

  sync(): void {
    if (!this.ahead) return;
    const values = this.session.run([], [], this.graph.sync.outputNames);
    values.forEach((t, k) => this.bindings[k].write(t));
    this.tf.dispose(values);
    this.ahead = false;
  }

  dispose(): void {
    this.session.dispose();
  }
}

/**
 * Changes a tfjs optimizer's learning rate before its next step. SGD and Momentum keep it as a negated
 * scalar tensor, which their setLearningRate replaces; Adam and RMSprop read the `learningRate` field.
 */
export function setLearningRate(optimizer: object, learningRate: number): void {
  const o = optimizer as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (o.learningRate === learningRate) return;
  if (o.setLearningRate) o.setLearningRate(learningRate);
  else o.learningRate = learningRate;
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
    run: async (xs, ys, learningRate = settings.learningRate) => {
      setLearningRate(model.optimizer, learningRate);
      const out = await model.trainOnBatch(xs, ys);
      return Array.isArray(out) ? [out[0], out[1]] : [out, NaN];
    },
    sync: () => {},
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
