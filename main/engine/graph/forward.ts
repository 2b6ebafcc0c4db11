/**
 * Inference (model.predict) as one TensorFlow graph run on native TensorFlow: the forward pass of
 * train-graph.ts in inference mode, fed the model's current weights. Used for per-epoch validation,
 * evaluation and prediction; tfjs's model.predict elsewhere.
 *
 * The graph is built from the model's spec, which buildModel records (describeModel) and which callers
 * that load a saved model can record too; a model without one predicts eagerly.
 */
import type { ModelSpec } from '../../../common/spec.js';
import type { LayersModel, Tensor, TF } from '../tf-types.js';
import { bindState, modelPlan, type Binding } from './model-plan.js';
import { GraphSession, graphsWanted } from './session.js';
import { buildInferenceGraph, type InferenceGraph } from './train-graph.js';

const described = new WeakMap<LayersModel, { spec: ModelSpec; numClasses: number }>();

/** Records the spec a model was built from, so its forward pass can run as a graph. */
export function describeModel(model: LayersModel, spec: ModelSpec, numClasses: number): void {
  described.set(model, { spec, numClasses });
}

export interface Forward {
  kind: 'graph' | 'eager';
  /** Class probabilities for a float batch; the caller disposes the result. */
  run(xs: Tensor): Tensor;
  dispose(): void;
}

class GraphForward implements Forward {
  readonly kind = 'graph';
  constructor(
    private readonly session: GraphSession,
    private readonly graph: InferenceGraph,
    private readonly bindings: Binding[],
  ) {}

  run(xs: Tensor): Tensor {
    const { inputNames, outputNames } = this.graph;
    return this.session.run(inputNames, [xs, ...this.bindings.map((b) => b.read())], outputNames)[0];
  }

  dispose(): void {
    this.session.dispose();
  }
}

/**
 * A forward pass for `model`: a graph where possible, else model.predict. Dispose it when done; build one
 * per evaluation, as it reads the weights at each run but holds a TensorFlow session.
 */
export function makeForward(tf: TF, model: LayersModel): Forward {
  const eager: Forward = { kind: 'eager', run: (xs) => tf.tidy(() => model.predict(xs) as Tensor), dispose: () => {} };
  const description = described.get(model);
  if (!description || !graphsWanted(tf)) return eager;
  try {
    const { plan, trainable, layers } = modelPlan(model, description.spec, description.numClasses);
    const built = buildInferenceGraph(plan);
    const bindings = built.states.map((s) => bindState(tf, s, layers, trainable));
    return new GraphForward(GraphSession.load(tf, built.graph), built, bindings);
  } catch {
    // The eager pass computes the same thing; a graph that cannot be built only costs speed here.
    return eager;
  }
}
