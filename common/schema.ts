/**
 * Validation of specs from untrusted input. Every problem becomes a SpecIssue naming the layer index, the
 * field, the offending value and what is allowed, so the UI can show it on the layer at fault.
 */
import { z } from 'zod';
import { LIMITS } from './limits.js';
import { resolveGraph } from './model-graph.js';
import { layerNames } from './summarize.js';
import { LAYER_SCHEMAS } from './layers/index.js';
import {
  DEFAULT_TRAINING,
  LAYER_TYPES,
  isLayerType,
  DEFAULT_EARLY_STOPPING,
  DEFAULT_LR_SCHEDULES,
  LOSSES,
  LR_SCHEDULE_TYPES,
  MONITOR_METRICS,
  OPTIMIZERS,
  type ExperimentSpec,
  type LayerSpec,
  type ModelSpec,
  type TrainingSettings,
} from './spec.js';

export interface SpecIssue {
  /** Where in the input, e.g. `layers[3].filters` or `training.batchSize`. */
  path: string;
  /** Index into `layers` when the problem is in a layer. */
  layerIndex?: number;
  field: string;
  value: unknown;
  allowed: string;
  message: string;
  /** 'too_big' when the value only exceeds a generic limit (a shape problem on the same layer explains it better). */
  code?: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; issues: SpecIssue[] };

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const name = z.string().min(1).max(LIMITS.nameLength).optional();

/** Each layer type's schema lives in its descriptor (common/layers/). */
export type LayerSchemas = typeof LAYER_SCHEMAS;

const steps = int(1, LIMITS.scheduleStepsMax);
const learningRateValue = z.number().gt(LIMITS.learningRate.minExclusive).max(LIMITS.learningRate.max);
const lrScheduleSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('ExponentialDecay'),
    decaySteps: steps,
    decayRate: z.number().gt(0).max(1),
    staircase: z.boolean(),
  }),
  z
    .strictObject({
      type: z.literal('CosineDecay'),
      decaySteps: steps,
      alpha: z.number().min(0).max(1),
      warmupTarget: learningRateValue.optional(),
      warmupSteps: int(0, LIMITS.scheduleStepsMax),
    })
    .refine((s) => s.warmupTarget !== undefined || s.warmupSteps === 0, {
      path: ['warmupTarget'],
      message: 'a warm-up needs warmupTarget, the rate it climbs to',
    }),
  z.strictObject({
    type: z.literal('ReduceLROnPlateau'),
    monitor: z.enum(MONITOR_METRICS).optional(),
    // Keras refuses a factor of 1 or more: it would never reduce.
    factor: z.number().gt(0).lt(1),
    patience: int(0, LIMITS.epochs.max),
    minDelta: z.number().min(0).max(1e6),
    cooldown: int(0, LIMITS.epochs.max),
    minLr: z.number().min(0).max(LIMITS.learningRate.max),
  }),
]);

const trainingSchema = z.strictObject({
  optimizer: z.enum(OPTIMIZERS),
  learningRate: z.number().gt(LIMITS.learningRate.minExclusive).max(LIMITS.learningRate.max),
  momentum: z.number().min(LIMITS.momentum.min).lt(LIMITS.momentum.maxExclusive),
  loss: z.enum(LOSSES),
  batchSize: int(LIMITS.batchSize.min, LIMITS.batchSize.max),
  epochs: int(LIMITS.epochs.min, LIMITS.epochs.max),
  validationSplit: z.union([z.number().min(LIMITS.validationSplit.min).max(LIMITS.validationSplit.max), int(1, LIMITS.validationCountMax)]),
  seed: int(LIMITS.seed.min, LIMITS.seed.max),
  augmentation: z.strictObject({
    horizontalFlip: z.boolean(),
    shiftPixels: int(0, LIMITS.shiftPixelsMax),
  }),
  monitor: z.enum(MONITOR_METRICS).optional(),
  earlyStopping: z
    .strictObject({
      patience: int(0, LIMITS.epochs.max),
      minDelta: z.number().min(0).max(1e6),
      restoreBestWeights: z.boolean(),
    })
    .optional(),
  learningRateSchedule: lrScheduleSchema.optional(),
});

const inputShapeSchema = z.tuple([
  int(LIMITS.imageSide.min, LIMITS.imageSide.max),
  int(LIMITS.imageSide.min, LIMITS.imageSide.max),
  int(LIMITS.channels.min, LIMITS.channels.max),
]);

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (Array.isArray(value)) return value.length > 8 ? `a list of ${value.length} items` : JSON.stringify(value);
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** Turns one zod issue into what a person needs: what is allowed for this field. */
function allowedFor(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_small':
    case 'too_big': {
      // zod reports one bound at a time; re-derive the full range from the issue's own schema bounds.
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const inclusive = issue.inclusive !== false;
      if (issue.code === 'too_small') return `${inclusive ? 'at least' : 'greater than'} ${String(bound)}`;
      return `${inclusive ? 'at most' : 'less than'} ${String(bound)}`;
    }
    case 'invalid_type':
      return issue.expected === 'int' ? 'a whole number' : `a value of type ${issue.expected}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return 'no such field (check its spelling)';
    case 'custom':
      return issue.message;
    case 'invalid_union':
      if (issue.path[issue.path.length - 1] === 'type') return `one of ${LR_SCHEDULE_TYPES.map((t) => JSON.stringify(t)).join(', ')}`;
      return issue.path[issue.path.length - 1] === 'validationSplit'
        ? `a fraction from 0 to ${LIMITS.validationSplit.max}, or a whole number of images from 1`
        : 'a whole number or a [height, width] pair';
    default:
      return issue.message;
  }
}

function toIssues(error: z.ZodError, input: unknown, prefix: (string | number)[], layerIndex?: number, layerType?: string): SpecIssue[] {
  const out: SpecIssue[] = [];
  for (const issue of error.issues) {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
    for (const key of keys) {
      const fullPath = [...prefix, ...key.map((k) => (typeof k === 'symbol' ? String(k) : k))];
      const field = String(key[0] ?? prefix[prefix.length - 1] ?? '');
      const value = valueAt(input, key);
      const allowed = allowedFor(issue);
      const where = layerIndex !== undefined ? `layers[${layerIndex}] (${layerType ?? 'layer'})` : 'spec';
      const shown = formatPath(fullPath);
      const message =
        issue.code === 'unrecognized_keys'
          ? `${where}: unknown field "${String(key[key.length - 1])}" (at ${shown})`
          : `${where}: ${shown} is ${describeValue(value)}; allowed: ${allowed}`;
      out.push({ path: shown, layerIndex, field, value, allowed, message, code: issue.code });
    }
  }
  return out;
}

function formatPath(path: (string | number)[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${key}` : key), '');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function issue(path: string, field: string, value: unknown, allowed: string, message: string, layerIndex?: number): SpecIssue {
  return { path, field, value, allowed, message, ...(layerIndex !== undefined ? { layerIndex } : {}) };
}

export function validateLayer(input: unknown, index: number): Validated<LayerSpec> {
  const at = `layers[${index}]`;
  if (!isRecord(input)) {
    return {
      ok: false,
      issues: [
        issue(
          at,
          'type',
          input,
          'an object with a "type"',
          `${at}: ${describeValue(input)} is not a layer; allowed: an object with a "type"`,
          index,
        ),
      ],
    };
  }
  const type = input.type;
  if (!isLayerType(type)) {
    const allowed = `one of ${LAYER_TYPES.join(', ')}`;
    return {
      ok: false,
      issues: [
        issue(`${at}.type`, 'type', type, allowed, `${at}: layer type ${describeValue(type)} is not supported; allowed: ${allowed}`, index),
      ],
    };
  }
  const schema: z.ZodType<LayerSpec> = LAYER_SCHEMAS[type];
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, issues: toIssues(parsed.error, input, ['layers', index], index, type) };
}

export function validateModel(input: unknown): Validated<ModelSpec> {
  if (!isRecord(input)) {
    return {
      ok: false,
      issues: [
        issue(
          '',
          'model',
          input,
          'an object with inputShape and layers',
          `the model spec is ${describeValue(input)}; allowed: an object with inputShape and layers`,
        ),
      ],
    };
  }
  const issues: SpecIssue[] = [];
  for (const key of Object.keys(input)) {
    if (!['name', 'inputShape', 'layers'].includes(key)) {
      issues.push(
        issue(key, key, input[key], 'name, inputShape, layers', `spec: unknown field "${key}"; allowed: name, inputShape, layers`),
      );
    }
  }
  const nameResult = name.safeParse(input.name);
  if (!nameResult.success) issues.push(...toIssues(nameResult.error, input.name, ['name']));
  const shape = inputShapeSchema.safeParse(input.inputShape);
  if (!shape.success) {
    const allowed = `[height, width, channels] with height and width ${LIMITS.imageSide.min}..${LIMITS.imageSide.max} and channels ${LIMITS.channels.min}..${LIMITS.channels.max}`;
    issues.push(
      issue(
        'inputShape',
        'inputShape',
        input.inputShape,
        allowed,
        `spec: inputShape is ${describeValue(input.inputShape)}; allowed: ${allowed}`,
      ),
    );
  }
  const layers = input.layers;
  const parsedLayers: LayerSpec[] = [];
  if (!Array.isArray(layers)) {
    issues.push(
      issue('layers', 'layers', layers, 'a list of layers', `spec: layers is ${describeValue(layers)}; allowed: a list of layers`),
    );
  } else if (layers.length === 0 || layers.length > LIMITS.maxLayers) {
    const allowed = `1 to ${LIMITS.maxLayers} layers`;
    issues.push(issue('layers', 'layers', layers.length, allowed, `spec: the model has ${layers.length} layers; allowed: ${allowed}`));
  } else {
    layers.forEach((layer, i) => {
      const r = validateLayer(layer, i);
      if (r.ok) parsedLayers.push(r.value);
      else issues.push(...r.issues);
    });
    if (parsedLayers.length === layers.length) issues.push(...graphIssues(parsedLayers));
  }
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    value: { ...(nameResult.data !== undefined ? { name: nameResult.data } : {}), inputShape: shape.data!, layers: parsedLayers },
  };
}

/** The `code` of an issue from the graph rules (an unknown input, a duplicate name ...). */
export const GRAPH_ISSUE = 'graph';

/** The graph rules (model-graph.ts) as issues on the layer and field at fault. */
function graphIssues(layers: LayerSpec[]): SpecIssue[] {
  const names = layerNames(layers);
  return resolveGraph(layers, names).problems.map((p) => {
    const at = `layers[${p.layerIndex}]`;
    const label = `${at} ${names[p.layerIndex]} (${layers[p.layerIndex].type})`;
    // 'graph': the message says what is wrong (which name, which layer), more than a field rule could.
    return { ...issue(`${at}.${p.field}`, p.field, p.value, p.allowed, `${label}: ${p.problem}`, p.layerIndex), code: GRAPH_ISSUE };
  });
}

/** Fills a schedule's optional fields with Keras's defaults; the fields Keras requires stay required. */
function withScheduleDefaults(input: unknown): unknown {
  if (!isRecord(input) || typeof input.type !== 'string' || !(input.type in DEFAULT_LR_SCHEDULES)) return input;
  const defaults = DEFAULT_LR_SCHEDULES[input.type as keyof typeof DEFAULT_LR_SCHEDULES] as unknown as Record<string, unknown>;
  const optional = ['staircase', 'alpha', 'warmupSteps', 'factor', 'patience', 'minDelta', 'cooldown', 'minLr'];
  const filled: Record<string, unknown> = {};
  for (const key of optional) if (key in defaults) filled[key] = defaults[key];
  return { ...filled, ...input };
}

/** Validates training settings; missing fields take the seed experiment's defaults. */
export function validateTraining(input: unknown): Validated<TrainingSettings> {
  if (input === undefined) return { ok: true, value: { ...DEFAULT_TRAINING } };
  if (!isRecord(input)) {
    return {
      ok: false,
      issues: [issue('training', 'training', input, 'an object', `training is ${describeValue(input)}; allowed: an object`)],
    };
  }
  const merged = {
    ...DEFAULT_TRAINING,
    ...input,
    augmentation: isRecord(input.augmentation)
      ? { ...DEFAULT_TRAINING.augmentation, ...input.augmentation }
      : (input.augmentation ?? DEFAULT_TRAINING.augmentation),
  };
  if (isRecord(input.earlyStopping)) merged.earlyStopping = { ...DEFAULT_EARLY_STOPPING, ...input.earlyStopping };
  if ('learningRateSchedule' in input)
    (merged as Record<string, unknown>).learningRateSchedule = withScheduleDefaults(input.learningRateSchedule);
  const parsed = trainingSchema.safeParse(merged);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    issues: toIssues(parsed.error, merged, ['training']).map((i) => ({
      ...i,
      message: i.message.replace(/^spec: /, 'training: '),
    })),
  };
}

/**
 * Accepts `{ model, training? }` or a bare model spec (`{ inputShape, layers }`), the two forms a spec
 * file may take.
 */
export function validateExperiment(input: unknown): Validated<ExperimentSpec> {
  const isWrapped = isRecord(input) && 'model' in input;
  const modelInput = isWrapped ? input.model : input;
  const trainingInput = isWrapped ? input.training : undefined;
  const issues: SpecIssue[] = [];
  if (isWrapped) {
    for (const key of Object.keys(input)) {
      if (key !== 'model' && key !== 'training') {
        issues.push(issue(key, key, input[key], 'model, training', `spec: unknown field "${key}"; allowed: model, training`));
      }
    }
  }
  const model = validateModel(modelInput);
  const training = validateTraining(trainingInput);
  if (!model.ok) issues.push(...model.issues.map((i) => (isWrapped ? { ...i, path: i.path ? `model.${i.path}` : 'model' } : i)));
  if (!training.ok) issues.push(...training.issues);
  if (issues.length > 0 || !model.ok || !training.ok) return { ok: false, issues };
  return { ok: true, value: { model: model.value, training: training.value } };
}

export function formatIssues(issues: SpecIssue[]): string {
  return issues.map((i) => `  - ${i.message}`).join('\n');
}
