/**
 * Every layer type Layerbench supports, one descriptor each (see descriptor.ts). The mapped type makes the
 * compiler refuse a type without every part; the spec's layer types, LAYER_TYPES (this order: the palette's
 * and messages') and the schemas are all derived from this one table.
 */
import type { z } from 'zod';
import { activation } from './activation.js';
import { add } from './add.js';
import { averagePooling2d } from './average-pooling2d.js';
import { batchNormalization } from './batch-normalization.js';
import { concatenate } from './concatenate.js';
import { conv2d } from './conv2d.js';
import { LAYER_GROUP_LABELS, type LayerDescriptor, type LayerGroup } from './descriptor.js';
import { dense } from './dense.js';
import { depthwiseConv2d } from './depthwise-conv2d.js';
import { dropout } from './dropout.js';
import { flatten } from './flatten.js';
import { globalAveragePooling2d } from './global-average-pooling2d.js';
import { maxPooling2d } from './max-pooling2d.js';
import { separableConv2d } from './separable-conv2d.js';

const TABLE = {
  Conv2D: conv2d,
  DepthwiseConv2D: depthwiseConv2d,
  SeparableConv2D: separableConv2d,
  MaxPooling2D: maxPooling2d,
  AveragePooling2D: averagePooling2d,
  GlobalAveragePooling2D: globalAveragePooling2d,
  Dropout: dropout,
  BatchNormalization: batchNormalization,
  Flatten: flatten,
  Dense: dense,
  Activation: activation,
  Add: add,
  Concatenate: concatenate,
};

export type LayerType = keyof typeof TABLE;
/** The spec of one layer type, as its schema infers it. */
export type LayerOf<T extends LayerType> = (typeof TABLE)[T] extends LayerDescriptor<infer L> ? L : never;
export type LayerSpec = { [T in LayerType]: LayerOf<T> }[LayerType];

export const LAYERS: { readonly [T in LayerType]: LayerDescriptor<LayerOf<T>> } = TABLE;

export const LAYER_TYPES = Object.keys(LAYERS) as LayerType[];

export function isLayerType(value: unknown): value is LayerType {
  return typeof value === 'string' && Object.hasOwn(LAYERS, value);
}

/** The descriptor of a layer, typed for that layer (the compiler cannot relate `LAYERS[layer.type]` to `layer`). */
export function descriptorOf<L extends LayerSpec>(layer: L): LayerDescriptor<L> {
  return LAYERS[layer.type] as unknown as LayerDescriptor<L>;
}

/** The palette's groups, in order, each with its layer types in LAYERS's order. */
export const LAYER_GROUPS: { label: LayerGroup; types: LayerType[] }[] = LAYER_GROUP_LABELS.map((label) => ({
  label,
  types: LAYER_TYPES.filter((t) => LAYERS[t].group === label),
}));

/** Each layer type's zod schema, keyed by type. */
export const LAYER_SCHEMAS = Object.fromEntries(LAYER_TYPES.map((t) => [t, LAYERS[t].schema])) as {
  [T in LayerType]: z.ZodType<LayerOf<T>>;
};

export type { EditorField, LayerDescriptor, LayerGroup, Shape } from './descriptor.js';
