/**
 * How a tfjs model maps onto the graphs of train-graph.ts: its layers' shapes, its trainable weights in the
 * optimizer's order, and a read/write binding for every state a graph takes in and gives back.
 */
import { summarize } from '../../../common/summarize.js';
import type { ModelSpec, TrainingSettings } from '../../../common/spec.js';
import { layersInSpecOrder, type ModelLayer } from '../model-layers.js';
import type { LayersModel, Tensor, TF } from '../tf-types.js';
import { engineOf } from '../layers/index.js';
import type { GraphModelPlan, ParamRef, ParamRole, StateRef } from './train-graph.js';

export interface LayerVariable {
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
export type OptimizerState = Record<string, unknown> & { incrementIterations(): void };

/** Where each optimizer slot suffix lives on the tfjs optimizer. */
const SLOT_FIELDS: Record<string, Record<string, string>> = {
  adam: { m: 'accumulatedFirstMoment', v: 'accumulatedSecondMoment' },
  sgd: { momentum: 'accumulations' },
  rmsprop: { rms: 'accumulatedMeanSquares', momentum: 'accumulatedMoments' },
};

export interface Binding {
  read(): Tensor;
  write(value: Tensor): void;
}

/** The graph plan of a model built from `spec`; throws when the model and the spec do not match. */
export function modelPlan(
  model: LayersModel,
  spec: ModelSpec,
  numClasses: number,
): { plan: GraphModelPlan; trainable: LayerVariable[]; layers: ModelLayer[] } {
  const summary = summarize(spec, { numClasses });
  if (!summary.ok) throw new Error(summary.errors[0].message);
  const layers = layersInSpecOrder(model, spec);
  const inputs = summary.layers.map((l) => l.inputs);
  const outputShapes = summary.layers.map((l) => [-1, ...l.outputShape!]);
  const inputShapes = inputs.map((from) => (from[0] < 0 ? [-1, ...spec.inputShape] : outputShapes[from[0]]));
  const trainable = ((model as unknown as { collectedTrainableWeights?: LayerVariable[] }).collectedTrainableWeights ??
    model.trainableWeights) as unknown as LayerVariable[];
  const params: ParamRef[] = trainable.map((v) => {
    const found = findParam(layers, spec, v);
    if (!found) throw new Error(`weight ${v.name} belongs to no layer the graph step knows`);
    return { ...found, shape: [...v.shape] };
  });
  return { plan: { spec, inputShapes, inputs, outputShapes, params, numClasses }, trainable, layers };
}

function findParam(layers: ModelLayer[], spec: ModelSpec, variable: LayerVariable): { layer: number; role: ParamRole } | undefined {
  for (const [layer, l] of layers.entries()) {
    const fields = l as unknown as Record<string, unknown>;
    for (const role of engineOf(spec.layers[layer]).paramRoles) {
      if (fields[role] === variable) return { layer, role };
    }
  }
  return undefined;
}

/** Reads and writes one graph state (`layers`: the model's layers in spec order, from modelPlan): a model weight, a moving statistic, an optimizer slot or scalar. */
export function bindState(
  tf: TF,
  state: StateRef,
  layers: ModelLayer[],
  trainable: LayerVariable[],
  optimizer?: OptimizerState,
  settings?: TrainingSettings,
): Binding {
  const [kind, a, b] = state.key.split(':');
  if (kind === 'param') {
    const v = trainable[Number(a)];
    return { read: () => v.read(), write: (t) => v.write(t) };
  }
  if (kind === 'moving') {
    const layer = layers[Number(a)] as unknown as Record<string, LayerVariable>;
    const v = layer[b === 'mean' ? 'movingMean' : 'movingVariance'];
    return { read: () => v.read(), write: (t) => v.write(t) };
  }
  if (!optimizer || !settings) throw new Error(`graph state ${state.key} needs the optimizer`);
  if (kind === 'opt') {
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
