/**
 * What a layer type is, in one place: its spec fields (a zod schema), the editor's new-layer defaults and
 * fields, its shape and parameter rules, and how it maps to and from Keras. `index.ts` lists one descriptor
 * per layer type; every process reads them instead of switching over layer types.
 */
import type { z } from 'zod';

/** Output shape without the batch dimension: [h, w, c] for images, [n] for vectors. */
export type Shape = number[];

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** A Keras layer's `config`, as read from a file (anything may be missing or of the wrong type). */
export type KerasLayerFields = Record<string, unknown>;

/** Why a Keras layer cannot be imported, in words. */
export class ImportFault {
  constructor(readonly reason: string) {}
}

/** A layer read from a Keras config, with the weight variables the file stores for it, in order. */
export interface ImportedLayer<L> {
  layer: L;
  storedVars: string[];
}

/** How the editor shows one field of a layer; `allowed` says what it accepts, in words, for messages. */
interface FieldBase {
  key: string;
  label: string;
  allowed: string;
}
export type EditorField = FieldBase &
  (
    | { kind: 'count' | 'number'; min: number; max: number; optional?: boolean; placeholder?: string; width?: string }
    | { kind: 'size'; min: number; max: number; optional?: boolean; placeholder?: string }
    /** Four sides (top, bottom, left, right), stored in the shortest form Keras takes: n, [rows, cols] or [[t, b], [l, r]]. */
    | { kind: 'sides'; min: number; max: number; placeholder: string }
    | { kind: 'choice'; options: readonly string[]; defaultLabel?: string; width: string }
    /** A checkbox that is on unless the field is false (unchecking stores false, checking removes it). */
    | { kind: 'toggle'; title: string }
    | { kind: 'slider'; min: number; max: number; step: number; ariaLabel: string }
  );

/** The palette's groups, in the order they are shown. */
export const LAYER_GROUP_LABELS = ['Convolution', 'Pooling', 'Regularization', 'Classifier', 'Merge'] as const;
export type LayerGroup = (typeof LAYER_GROUP_LABELS)[number];

export interface LayerParams {
  trainable: number;
  /** Updated, not trained (BatchNormalization's moving statistics), as Keras counts them. */
  nonTrainable: number;
}

export interface LayerDescriptor<L extends { type: string; name?: string }> {
  type: L['type'];
  /** The spec fields, their limits and messages; the layer's TypeScript type is inferred from it. */
  schema: z.ZodType<L>;
  /** The palette's group and one-line description. */
  group: LayerGroup;
  description: string;
  /** What a layer added in the editor starts as (`numClasses`: the dataset's, for an output layer). */
  newLayer(numClasses: number): L;
  /** The editor's fields, in the order shown (none: "No settings"). */
  fields: EditorField[];
  /**
   * The count fields the shape and parameters are computed from, with their values: an empty, fractional
   * or negative one yields no shape and no parameters. `optional` ones may be left out.
   */
  counts(layer: L): { field: string; value: unknown; optional?: boolean }[];
  /**
   * The output shape from the input shapes (one per input; single-input layers read inputs[0]), or why
   * the layer cannot take them, in plain words (`inputNames`: the inputs' names, for a merge's message).
   */
  outputShape(layer: L, inputs: Shape[], inputNames: string[]): Shape | string;
  /** The weights' sizes from the input shapes; zero for inputs the layer cannot take. */
  params(layer: L, inputs: Shape[]): LayerParams;
  keras: {
    /** Keras's class name (written to configs and the Python script). */
    className: string;
    /** Keras's default layer name: conv2d, conv2d_1 ... */
    baseName: string;
    /** The layer's `config` keys as Keras 3 writes them, besides name, trainable and dtype. */
    config(layer: L): JsonObject;
    /** The Keras class names this type imports from (its own, plus any Keras class it stands for). */
    importClasses: readonly string[];
    /** A Keras layer's config as this layer, or why it cannot be one. */
    fromConfig(config: KerasLayerFields, className: string): ImportedLayer<L> | ImportFault;
    /** The weight variables, trainable first, in the order Keras stores them and tfjs's setWeights takes them. */
    weights(layer: L): { trainable: string[]; nonTrainable: string[] };
    /** The Python script's arguments before `name=`, the defaults left out. */
    pythonArgs(layer: L): string[];
  };
}
