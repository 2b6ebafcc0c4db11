/**
 * One schema per request channel. Every payload arrives as `unknown` (from IPC or a WebSocket) and is parsed
 * here before any handler sees it; unknown fields are refused so a typo never passes silently.
 * Specs inside payloads are checked by common/schema's validators, which name the layer and field at fault.
 */
import { z } from 'zod';
import {
  CHANNELS,
  DATASET_KINDS,
  DATASET_OPTIONS_PATTERN,
  EVALUATION_MODELS,
  EXPORT_FORMATS,
  RUN_ID_PATTERN,
  SPEC_OPEN_MAX_CHARS,
  UPLOAD_LIMITS,
  fail,
  ok,
  type Channel,
  type RequestOf,
  type Result,
} from '../../common/contract.js';
import { describeJsonPath, tooDeepAt, tooDeepMessage } from '../../common/json-depth.js';
import { validateExperiment } from '../../common/schema.js';
import { uploads } from './upload-schema.js';

const runId = z.string().regex(RUN_ID_PATTERN, 'not a run id');
const datasetId = z.string().min(1).max(4096);
const empty = z.strictObject({});
const runRef = z.strictObject({ runId });
const importId = z.string().regex(RUN_ID_PATTERN, 'not an import id');
const experiment = z.unknown();
const shortName = z.string().min(1).max(200);

const schemas = {
  'model:summarize': z.strictObject({ model: z.unknown(), numClasses: z.number().int().min(1).max(100_000).optional() }),
  'training:start': z.strictObject({
    experiment,
    datasetId,
    name: shortName.optional(),
    preset: z.string().max(100).optional(),
    initialWeights: z.strictObject({ importId }).optional(),
  }),
  'training:stop': runRef,
  'training:resume': runRef,
  'runs:list': empty,
  'runs:get': runRef,
  'runs:delete': runRef,
  'runs:evaluate': z.strictObject({ runId, model: z.enum(EVALUATION_MODELS).optional() }),
  'model:predict': z
    .strictObject({
      runId: runId.optional(),
      importId: importId.optional(),
      model: z.enum(EVALUATION_MODELS).optional(),
      images: uploads({
        maxFiles: UPLOAD_LIMITS.images,
        maxFileBytes: UPLOAD_LIMITS.imageBytes,
        maxTotalBytes: UPLOAD_LIMITS.imagesTotalBytes,
        allowEmpty: true,
      }).optional(),
      top: z.number().int().min(1).max(1000).optional(),
    })
    .superRefine((req, ctx) => {
      // The model is a run's or an imported one's: exactly one of the two.
      if (req.runId === undefined && req.importId === undefined)
        ctx.addIssue({ code: 'custom', path: ['runId'], message: 'give runId (a run) or importId (an imported model)' });
      if (req.runId !== undefined && req.importId !== undefined)
        ctx.addIssue({ code: 'custom', path: ['importId'], message: 'give runId or importId, not both' });
    }),
  'model:import': z.strictObject({
    files: uploads({
      maxFiles: UPLOAD_LIMITS.modelFiles,
      maxFileBytes: UPLOAD_LIMITS.modelBytes,
      maxTotalBytes: UPLOAD_LIMITS.modelBytes,
    }).optional(),
  }),
  'model:save': runRef,
  'model:export': z.strictObject({ runId, format: z.enum(EXPORT_FORMATS), force: z.boolean().optional() }),
  'dataset:list': empty,
  'dataset:import': z.strictObject({
    kind: z.enum(DATASET_KINDS),
    pick: z.enum(['directory', 'file']).optional(),
    options: z.string().max(200).regex(DATASET_OPTIONS_PATTERN, 'not an option list like size=32x32,channels=1').optional(),
    path: z.string().min(1).max(4096).optional(),
  }),
  'dataset:cancelImport': empty,
  'dataset:samples': z.strictObject({
    datasetId,
    count: z.number().int().min(1).max(64).optional(),
    split: z.enum(['train', 'test']).optional(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
  }),
  'app:info': empty,
  'spec:open': z.strictObject({ content: z.string().max(SPEC_OPEN_MAX_CHARS).optional(), fileName: z.string().max(255).optional() }),
  'spec:save': z.strictObject({ experiment, suggestedName: shortName.optional() }),
} satisfies Record<Channel, z.ZodType>;

const EMPTY_REQUEST: ReadonlySet<Channel> = new Set(['runs:list', 'dataset:list', 'dataset:cancelImport', 'app:info']);
const SPEC_FIELDS: Partial<Record<Channel, 'experiment'>> = { 'training:start': 'experiment', 'spec:save': 'experiment' };

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}

function describeZodIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/** Parses a channel's payload; on failure the result names every field at fault. */
export function parseRequest<C extends Channel>(channel: C, payload: unknown): Result<RequestOf<C>> {
  // Before zod and the spec validators recurse over it, and before an issue echoes a value back to the sender.
  const deep = tooDeepAt(payload);
  if (deep) return fail('INVALID_REQUEST', `${channel}: ${tooDeepMessage('the request', deep)}`, { path: describeJsonPath(deep) });
  // Channels without parameters accept a missing payload as well as `{}`.
  const input = payload === undefined || payload === null ? (EMPTY_REQUEST.has(channel) ? {} : payload) : payload;
  const parsed = schemas[channel].safeParse(input);
  if (!parsed.success) {
    const issues = describeZodIssues(parsed.error);
    const where = issues.map((i) => `${i.path || '(payload)'}: ${i.message}`).join('; ');
    return fail('INVALID_REQUEST', `${channel}: invalid request: ${where}`, { issues });
  }
  const value = parsed.data as Record<string, unknown>;
  const specField = SPEC_FIELDS[channel];
  if (specField) {
    const checked = validateExperiment(value[specField]);
    if (!checked.ok) {
      const first = checked.issues[0]?.message ?? 'invalid';
      return fail('SPEC_INVALID', `${channel}: the experiment is invalid: ${first}`, { issues: checked.issues });
    }
    value[specField] = checked.value;
  }
  return ok(value as RequestOf<C>);
}
