/** Editor fields several layer types share, with the same labels, limits and words. */
import { LIMITS } from '../limits.js';
import { ACTIVATIONS, PADDINGS } from './basics.js';
import type { EditorField } from './descriptor.js';
import { wholeNumber } from './helpers.js';

export const filtersField: EditorField = {
  key: 'filters',
  label: 'Filters',
  allowed: wholeNumber(LIMITS.filters.min, LIMITS.filters.max),
  kind: 'count',
  min: LIMITS.filters.min,
  max: LIMITS.filters.max,
};

export const stridesField = (placeholder: string): EditorField => ({
  key: 'strides',
  label: 'Strides',
  allowed: wholeNumber(LIMITS.strides.min, LIMITS.strides.max),
  kind: 'size',
  min: LIMITS.strides.min,
  max: LIMITS.strides.max,
  optional: true,
  placeholder,
});

export const paddingField: EditorField = {
  key: 'padding',
  label: 'Padding',
  allowed: 'valid or same',
  kind: 'choice',
  options: PADDINGS,
  defaultLabel: 'valid',
  width: '88px',
};

export const activationField: EditorField = {
  key: 'activation',
  label: 'Activation',
  allowed: 'one of the listed functions',
  kind: 'choice',
  options: ACTIVATIONS,
  defaultLabel: 'linear',
  width: '120px',
};

export const biasField = (title: string): EditorField => ({ key: 'useBias', label: 'Bias', allowed: 'on or off', kind: 'toggle', title });

export const dilationField: EditorField = {
  key: 'dilationRate',
  label: 'Dilation',
  allowed: `${wholeNumber(LIMITS.dilation.min, LIMITS.dilation.max)} (strides must be 1 when it is above 1)`,
  kind: 'size',
  min: LIMITS.dilation.min,
  max: LIMITS.dilation.max,
  optional: true,
  placeholder: '1',
};

export const depthMultiplierField: EditorField = {
  key: 'depthMultiplier',
  label: 'Multiplier',
  allowed: wholeNumber(LIMITS.depthMultiplier.min, LIMITS.depthMultiplier.max),
  kind: 'count',
  min: LIMITS.depthMultiplier.min,
  max: LIMITS.depthMultiplier.max,
  optional: true,
  placeholder: '1',
  width: '56px',
};

export const kernelSizeField: EditorField = {
  key: 'kernelSize',
  label: 'Kernel',
  allowed: wholeNumber(LIMITS.kernel.min, LIMITS.kernel.max),
  kind: 'size',
  min: LIMITS.kernel.min,
  max: LIMITS.kernel.max,
};
