/** Editor fields several layer types share, with the same labels, limits and words. */
import { LIMITS } from '../limits.js';
import { ACTIVATIONS, PADDINGS } from './basics.js';
import type { EditorField } from './descriptor.js';
import { wholeNumber } from './helpers.js';

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
