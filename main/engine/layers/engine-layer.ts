/**
 * What a layer type needs from TensorFlow: its tfjs layer, and its forward and backward pass in the training
 * step's graph (train-graph.ts). `index.ts` holds one per layer type, next to common/layers/'s descriptors.
 */
import type { Out } from '../graph/graph-def.js';
import type { MergeBackward } from '../graph/merge-ops.js';
import type { Backward, ParamRole, StepBuilder } from '../graph/train-graph.js';
import type { TF } from '../tf-types.js';

export type TfLayer = Parameters<ReturnType<TF['sequential']>['add']>[0];

/** What every tfjs layer gets: its name, and the model's input shape when it is the first layer. */
export interface TfLayerBase {
  name: string;
  inputShape?: number[];
}

/** A layer's place in the graph: its index, its inputs with their shapes (batch dimension -1), its parameters. */
export interface GraphLayerArgs {
  layerIndex: number;
  /** One per input; single-input layers read inputs[0]. */
  inputs: Out[];
  inputShapes: number[][];
  /** Position of the layer's parameter in the optimizer's order (undefined: the layer has none, e.g. no bias). */
  paramIndex(role: ParamRole): number | undefined;
}

export interface EngineLayer<L> {
  /** The tfjs layer, with Keras's defaults where tfjs's differ. */
  tfjs(tf: TF, layer: L, base: TfLayerBase): TfLayer;
  /** The tfjs layer's fields holding its trainable weights (how model-plan.ts finds them). */
  paramRoles: readonly ParamRole[];
  /** The forward pass in the step's graph; returns the output and the backward pass. */
  graph(b: StepBuilder, layer: L, args: GraphLayerArgs): [Out, Backward];
  /**
   * Why tfjs's own step (trainOnBatch: the wasm and cpu backends, or native TensorFlow when the graph step
   * is off) cannot train this layer, in words; absent or undefined when it can.
   */
  eagerStepFault?(layer: L): string | undefined;
}

/** A merge layer's engine part (Add, Concatenate): it reads several inputs, and its backward gives one gradient per input. */
export interface MergeEngineLayer<L> extends Omit<EngineLayer<L>, 'graph'> {
  graph(b: StepBuilder, layer: L, args: GraphLayerArgs): [Out, MergeBackward];
}

/**
 * Keras's Conv2D, Dense, DepthwiseConv2D and SeparableConv2D start their kernels (depthwise and pointwise
 * ones too) glorot-uniform (tfjs's own default is glorot-normal), so a
 * Layerbench run and the exported Keras script draw their first weights from the same distribution.
 * Biases start at zero in both.
 */
export const KERAS_KERNEL_INITIALIZER = 'glorotUniform';

export const graphPadding = (p: string | undefined, fallback: string): 'SAME' | 'VALID' => ((p ?? fallback) === 'same' ? 'SAME' : 'VALID');
