/**
 * The layer fields as the editor labels them, with what each accepts in words, so an error about a field
 * names it as the person sees it ("Filters"), never by its spec key ("filters"), and never shows NaN.
 */
import { LIMITS } from './limits.js';
import type { LayerType } from './spec.js';

interface FieldRule {
  label: string;
  allowed: string;
}

const wholeNumber = (min: number, max: number) => `a whole number from ${min} to ${max}`;

const FIELDS: Record<string, FieldRule> = {
  filters: { label: 'Filters', allowed: wholeNumber(LIMITS.filters.min, LIMITS.filters.max) },
  kernelSize: { label: 'Kernel', allowed: wholeNumber(LIMITS.kernel.min, LIMITS.kernel.max) },
  strides: { label: 'Strides', allowed: wholeNumber(LIMITS.strides.min, LIMITS.strides.max) },
  poolSize: { label: 'Pool', allowed: wholeNumber(LIMITS.poolSize.min, LIMITS.poolSize.max) },
  units: { label: 'Units', allowed: wholeNumber(LIMITS.units.min, LIMITS.units.max) },
  rate: { label: 'Rate', allowed: `a fraction from ${LIMITS.dropoutRate.min} up to (not including) ${LIMITS.dropoutRate.maxExclusive}` },
  momentum: { label: 'Momentum', allowed: `a number from ${LIMITS.momentumBN.min} to ${LIMITS.momentumBN.max}` },
  epsilon: { label: 'Epsilon', allowed: `a number above ${LIMITS.epsilon.minExclusive} and at most ${LIMITS.epsilon.max}` },
  padding: { label: 'Padding', allowed: 'valid or same' },
  activation: { label: 'Activation', allowed: 'one of the listed functions' },
  useBias: { label: 'Bias', allowed: 'on or off' },
  name: { label: 'Name', allowed: `1 to ${LIMITS.nameLength} characters` },
  inputs: { label: 'Inputs', allowed: 'the names of earlier layers, or "input" for the model input' },
};

/** The training settings form's labels; what each accepts comes from the validation issue. */
const TRAINING_LABELS: Record<string, string> = {
  optimizer: 'Optimizer',
  learningRate: 'Learning rate',
  momentum: 'Momentum',
  batchSize: 'Batch size',
  epochs: 'Epochs',
  validationSplit: 'Validation split',
  seed: 'Seed',
  augmentation: 'Random shift, pixels',
};

/**
 * The label the editor shows for a field of a layer (or of the training settings, `layerType` 'training');
 * the Activation layer calls its activation "Function".
 */
export function fieldLabel(layerType: LayerType | 'training' | string | undefined, field: string): string {
  if (layerType === 'training') return TRAINING_LABELS[field] ?? field;
  if (layerType === 'Activation' && field === 'activation') return 'Function';
  return FIELDS[field]?.label ?? field;
}

function shownValue(value: unknown): string {
  if (value === undefined || value === null || (typeof value === 'number' && Number.isNaN(value)) || value === '') return 'empty';
  if (Array.isArray(value)) return value.length === 0 ? 'empty' : value.map(shownValue).join(' × ');
  return typeof value === 'string' ? `"${value}"` : String(value);
}

/** "Filters is empty; enter a whole number from 1 to 4096": one sentence about one field of one layer. */
export function fieldProblem(layerType: LayerType | string | undefined, field: string, value: unknown, allowed?: string): string {
  const rule = layerType === 'training' ? undefined : FIELDS[field];
  return `${fieldLabel(layerType, field)} is ${shownValue(value)}; enter ${rule?.allowed ?? allowed ?? 'a valid value'}`;
}

/** Whether a count-like field holds a usable whole number (summaries compute nothing from one that does not). */
export function isCount(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 2 && value.every(isCount);
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}
