/**
 * The layer fields as the editor labels them, with what each accepts in words, so an error about a field
 * names it as the person sees it ("Filters"), never by its spec key ("filters"), and never shows NaN.
 */
import { LIMITS } from './limits.js';
import { LAYERS, LAYER_TYPES, isLayerType } from './layers/index.js';

interface FieldRule {
  label: string;
  allowed: string;
}

/** Every layer has a name; its rule is the same for all. */
const NAME_FIELD: FieldRule = { label: 'Name', allowed: `1 to ${LIMITS.nameLength} characters` };
/** Every layer may read layers by name (common/model-graph.ts); the same rule for all. */
const INPUTS_FIELD: FieldRule = { label: 'Inputs', allowed: 'the names of earlier layers, or "input" for the model input' };

/**
 * A field's label and words: the layer type's own (from its descriptor), else the first layer type's with a
 * field of that key (a message about a type it could not tell, e.g. from a spec file).
 */
function fieldRule(layerType: string | undefined, field: string): FieldRule | undefined {
  if (field === 'name') return NAME_FIELD;
  if (field === 'inputs') return INPUTS_FIELD;
  const own = isLayerType(layerType) ? LAYERS[layerType].fields.find((f) => f.key === field) : undefined;
  return own ?? LAYER_TYPES.flatMap((t) => LAYERS[t].fields).find((f) => f.key === field);
}

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
export function fieldLabel(layerType: string | undefined, field: string): string {
  if (layerType === 'training') return TRAINING_LABELS[field] ?? field;
  return fieldRule(layerType, field)?.label ?? field;
}

function shownValue(value: unknown): string {
  if (value === undefined || value === null || (typeof value === 'number' && Number.isNaN(value)) || value === '') return 'empty';
  if (Array.isArray(value)) return value.length === 0 ? 'empty' : value.map(shownValue).join(' × ');
  return typeof value === 'string' ? `"${value}"` : String(value);
}

/** "Filters is empty; enter a whole number from 1 to 4096": one sentence about one field of one layer. */
export function fieldProblem(layerType: string | undefined, field: string, value: unknown, allowed?: string): string {
  const rule = layerType === 'training' ? undefined : fieldRule(layerType, field);
  return `${fieldLabel(layerType, field)} is ${shownValue(value)}; enter ${rule?.allowed ?? allowed ?? 'a valid value'}`;
}

/** Whether a count-like field holds a usable whole number (summaries compute nothing from one that does not). */
export function isCount(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 2 && value.every(isCount);
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}
