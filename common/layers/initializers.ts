/**
 * The weight initializers a user may pick for Conv2D's and Dense's kernel and bias, by Keras's names:
 * Keras's class and config for the export, the name back from a Keras file, and the Python script's argument.
 * The engine maps each to tfjs's initializer of the same distribution (main/engine/layers/initializers.ts).
 */
import { z } from 'zod';
import type { JsonObject, KerasLayerFields } from './descriptor.js';
import type { EditorField } from './descriptor.js';

export const INITIALIZERS = [
  'glorot_uniform',
  'glorot_normal',
  'he_normal',
  'he_uniform',
  'lecun_normal',
  'lecun_uniform',
  'zeros',
  'ones',
  'random_normal',
  'random_uniform',
  'truncated_normal',
] as const;
export type Initializer = (typeof INITIALIZERS)[number];

/** Keras's defaults, which an omitted field means. */
export const DEFAULT_KERNEL_INITIALIZER: Initializer = 'glorot_uniform';
export const DEFAULT_BIAS_INITIALIZER: Initializer = 'zeros';

export const initializerSchema = z.enum(INITIALIZERS);

/** Keras's class and config of each, with Keras's default arguments (random ones draw unseeded, as Keras's do). */
const KERAS: Record<Initializer, { className: string; config: JsonObject }> = {
  glorot_uniform: { className: 'GlorotUniform', config: { seed: null } },
  glorot_normal: { className: 'GlorotNormal', config: { seed: null } },
  he_normal: { className: 'HeNormal', config: { seed: null } },
  he_uniform: { className: 'HeUniform', config: { seed: null } },
  lecun_normal: { className: 'LecunNormal', config: { seed: null } },
  lecun_uniform: { className: 'LecunUniform', config: { seed: null } },
  zeros: { className: 'Zeros', config: {} },
  ones: { className: 'Ones', config: {} },
  random_normal: { className: 'RandomNormal', config: { mean: 0, stddev: 0.05, seed: null } },
  random_uniform: { className: 'RandomUniform', config: { minval: -0.05, maxval: 0.05, seed: null } },
  truncated_normal: { className: 'TruncatedNormal', config: { mean: 0, stddev: 0.05, seed: null } },
};

export function kerasInitializerOf(name: Initializer): JsonObject {
  const k = KERAS[name];
  return { module: 'keras.initializers', class_name: k.className, config: k.config, registered_name: null };
}

/**
 * The initializer a Keras config names (an object with class_name, or a name as older files write it), or
 * undefined for one Layerbench does not offer or one with other arguments than Keras's defaults: the
 * imported weights come from the file either way, only training anew would start them differently.
 */
export function initializerFromKeras(value: unknown): Initializer | undefined {
  if (typeof value === 'string') {
    const byName = INITIALIZERS.find((n) => n === value || KERAS[n].className === value);
    return byName;
  }
  if (!value || typeof value !== 'object') return undefined;
  const { class_name: className, config } = value as KerasLayerFields;
  const name = INITIALIZERS.find((n) => KERAS[n].className === className);
  if (!name) return undefined;
  const given = (config ?? {}) as KerasLayerFields;
  const defaults = KERAS[name].config;
  return Object.keys(defaults).every((k) => k === 'seed' || given[k] === undefined || given[k] === defaults[k]) ? name : undefined;
}

/** The spec fields Conv2D and Dense (and other layers with a kernel and bias) share. */
export const initializerFields = {
  kernelInitializer: initializerSchema.optional(),
  biasInitializer: initializerSchema.optional(),
};

/** The layer's fields read from a Keras config: only the ones that differ from Keras's defaults. */
export function initializersFromKeras(c: KerasLayerFields): { kernelInitializer?: Initializer; biasInitializer?: Initializer } {
  const kernel = initializerFromKeras(c.kernel_initializer);
  const bias = initializerFromKeras(c.bias_initializer);
  return {
    ...(kernel && kernel !== DEFAULT_KERNEL_INITIALIZER ? { kernelInitializer: kernel } : {}),
    ...(bias && bias !== DEFAULT_BIAS_INITIALIZER ? { biasInitializer: bias } : {}),
  };
}

/** The editor's fields for both. */
export const initializerEditorFields: EditorField[] = [
  {
    key: 'kernelInitializer',
    label: 'Kernel init',
    allowed: 'one of the listed initializers',
    kind: 'choice',
    options: INITIALIZERS,
    defaultLabel: DEFAULT_KERNEL_INITIALIZER,
    width: '150px',
  },
  {
    key: 'biasInitializer',
    label: 'Bias init',
    allowed: 'one of the listed initializers',
    kind: 'choice',
    options: INITIALIZERS,
    defaultLabel: DEFAULT_BIAS_INITIALIZER,
    width: '150px',
  },
];
