/**
 * Every channel's request, declared once as a zod schema; the contract's request types are inferred from
 * these (contract.ts `RequestOf`), so what a sender may send and what the service accepts cannot drift.
 * Unknown fields are refused so a typo never passes silently. Experiments inside requests are checked by
 * common/schema's validators (which name the layer and field at fault) as part of the parse.
 */
import { z } from 'zod';
import {
  DATASET_KINDS,
  DATASET_OPTIONS_PATTERN,
  EVALUATION_MODELS,
  EXPORT_FORMATS,
  RUN_ID_PATTERN,
  SPEC_OPEN_MAX_CHARS,
  UPLOAD_LIMITS,
} from './contract.js';
import { validateExperiment, type SpecIssue } from './schema.js';
import { parseSeriesFile, type SeriesFile } from './series.js';
import type { ExperimentSpec } from './spec.js';
import { uploads } from './uploads.js';

const runId = z.string().regex(RUN_ID_PATTERN, 'not a run id');
/** An id from `dataset:list`. */
const datasetId = z.string().min(1).max(4096);
const empty = z.strictObject({});
const runRef = z.strictObject({ runId });
const importId = z.string().regex(RUN_ID_PATTERN, 'not an import id');
const shortName = z.string().min(1).max(200);

/** What `runs:evaluate` is asked: a run's model, or an imported model on a dataset. */
type EvaluateRequest = { runId: string; model?: (typeof EVALUATION_MODELS)[number] } | { importId: string; datasetId: string };

/** Marks an issue as the experiment's own (SPEC_INVALID, with the validator's issues) rather than the request's. */
export const SPEC_ISSUES = 'specIssues';

/** An experiment spec, validated by common/schema; its issues travel in the zod issue's params. */
const experiment = z.unknown().transform((value, ctx): ExperimentSpec => {
  const checked = validateExperiment(value);
  if (checked.ok) return checked.value;
  ctx.addIssue({ code: 'custom', message: checked.issues[0]?.message ?? 'invalid', params: { [SPEC_ISSUES]: checked.issues } });
  return z.NEVER;
});

export function specIssuesOf(issue: z.core.$ZodIssue): SpecIssue[] | undefined {
  const params = (issue as { params?: Record<string, unknown> }).params;
  return params?.[SPEC_ISSUES] as SpecIssue[] | undefined;
}

/** A series as a series file has it, checked by common/series (each message names the field at fault). */
const seriesDefinition = z.unknown().transform((value, ctx): SeriesFile => {
  const parsed = parseSeriesFile(value);
  if (parsed.ok) return parsed.value;
  for (const issue of parsed.issues) ctx.addIssue({ code: 'custom', message: issue.message });
  return z.NEVER;
});
const seriesRef = z.strictObject({ seriesId: z.string().regex(RUN_ID_PATTERN, 'not a series id') });

const imageUploads = uploads({
  maxFiles: UPLOAD_LIMITS.images,
  maxFileBytes: UPLOAD_LIMITS.imageBytes,
  maxTotalBytes: UPLOAD_LIMITS.imagesTotalBytes,
  allowEmpty: true,
});

export const REQUEST_SCHEMAS = {
  'model:summarize': z.strictObject({
    /** Anything: this channel exists to check a model; its problems come back as `issues`, not as an error. */
    model: z.unknown(),
    /** When given, the last layer must produce this many class scores. */
    numClasses: z.number().int().min(1).max(100_000).optional(),
  }),
  'training:start': z.strictObject({
    experiment,
    datasetId,
    /** Human name of the run; default from the model name / preset. */
    name: shortName.optional(),
    preset: z.string().max(100).optional(),
    /** Start from the weights of an imported model (`model:import`) instead of fresh ones. */
    initialWeights: z.strictObject({ importId }).optional(),
  }),
  'training:stop': runRef,
  'training:resume': runRef,
  'runs:list': empty,
  'runs:get': runRef,
  'runs:delete': runRef,
  /**
   * A run's model (`runId`, `model` picks final, best or last) on the run's dataset, or an imported model
   * (`importId`) on `datasetId`: an import names no dataset of its own.
   */
  'runs:evaluate': z
    .strictObject({
      runId: runId.optional(),
      importId: importId.optional(),
      datasetId: datasetId.optional(),
      model: z.enum(EVALUATION_MODELS).optional(),
    })
    .transform((req, ctx): EvaluateRequest => {
      const { runId, importId, datasetId, model } = req;
      const issue = (path: string, message: string) => {
        ctx.addIssue({ code: 'custom', path: [path], message });
        return z.NEVER;
      };
      if (runId !== undefined && importId !== undefined) return issue('importId', 'give runId or importId, not both');
      if (runId !== undefined) {
        if (datasetId !== undefined) return issue('datasetId', 'a run is evaluated on its own dataset; datasetId is for an importId');
        return { runId, ...(model ? { model } : {}) };
      }
      if (importId === undefined) return issue('runId', 'give runId (a run) or importId with datasetId (an imported model)');
      if (datasetId === undefined)
        return issue('datasetId', 'an imported model names no dataset: give datasetId (from dataset:list) to evaluate it on');
      if (model !== undefined && model !== 'final') return issue('model', `an imported model has no ${model} checkpoint`);
      return { importId, datasetId };
    }),
  /**
   * Electron: leave `images` out and main shows its open dialog (several files). Browser mode: the page sends
   * them. The model is a run's (`runId`, `model` picks final, best or last) or an imported one's (`importId`).
   */
  'model:predict': z
    .strictObject({
      runId: runId.optional(),
      importId: importId.optional(),
      model: z.enum(EVALUATION_MODELS).optional(),
      images: imageUploads.optional(),
      /** How many classes to list per image (default 3). */
      top: z.number().int().min(1).max(1000).optional(),
    })
    // The model is a run's or an imported one's: exactly one of the two, which the handler's type then says.
    .transform((req, ctx) => {
      const { runId, importId, ...rest } = req;
      if (runId !== undefined && importId === undefined) return { ...rest, runId };
      if (importId !== undefined && runId === undefined) return { ...rest, importId };
      const neither = runId === undefined;
      ctx.addIssue({
        code: 'custom',
        path: [neither ? 'runId' : 'importId'],
        message: neither ? 'give runId (a run) or importId (an imported model)' : 'give runId or importId, not both',
      });
      return z.NEVER;
    }),
  /**
   * Electron: leave `files` out and main shows its open dialog. Browser mode: the page sends the file it read
   * (.keras, .h5, or a TensorFlow.js model.json with its weights files).
   */
  'model:import': z.strictObject({
    files: uploads({
      maxFiles: UPLOAD_LIMITS.modelFiles,
      maxFileBytes: UPLOAD_LIMITS.modelBytes,
      maxTotalBytes: UPLOAD_LIMITS.modelBytes,
    }).optional(),
  }),
  'model:save': runRef,
  'model:export': z.strictObject({
    runId,
    format: z.enum(EXPORT_FORMATS),
    /**
     * Replace an existing folder at the chosen path (answered TARGET_EXISTS without it). Never a run folder.
     * Sent right after a TARGET_EXISTS answer for the same run and format, it writes to the path refused then.
     */
    force: z.boolean().optional(),
  }),
  'dataset:list': empty,
  'dataset:import': z.strictObject({
    kind: z.enum(DATASET_KINDS),
    /** Pick a folder or a single file (an archive) in main's dialog; default DATASET_KIND_PICK[kind].pick. */
    pick: z.enum(['directory', 'file']).optional(),
    /**
     * Importer options, as after `#` in a dataset reference: `fine`/`coarse` for cifar100;
     * `size=32x32,channels=1|3,resize=stretch|crop|pad,nocache` for folder.
     */
    options: z.string().max(200).regex(DATASET_OPTIONS_PATTERN, 'not an option list like size=32x32,channels=1').optional(),
    /**
     * Browser mode only: the path typed by the user. Accepted there because the server listens on loopback
     * only, every request carries the per-launch token, and the person typing is the machine's owner, who can
     * read that file anyway. In Electron this field is refused (INVALID_REQUEST): main's dialog picks the path.
     */
    path: z.string().min(1).max(4096).optional(),
  }),
  'dataset:cancelImport': empty,
  'dataset:samples': z.strictObject({
    datasetId,
    /** 1..64, default 16. */
    count: z.number().int().min(1).max(64).optional(),
    split: z.enum(['train', 'test']).optional(),
    /** Which images are drawn; default 0. */
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
  }),
  'app:info': empty,
  /**
   * `content`: the file's text when the UI already has it (a file input or a drop in browser mode). Without it,
   * main opens its own file dialog (Electron) or answers NOT_AVAILABLE (browser mode).
   */
  'spec:open': z.strictObject({ content: z.string().max(SPEC_OPEN_MAX_CHARS).optional(), fileName: z.string().max(255).optional() }),
  /** `suggestedName`: the default file name (without folder); `.json` is added when missing. */
  'spec:save': z.strictObject({ experiment, suggestedName: shortName.optional() }),
  'series:start': z.strictObject({
    /** Variants name a preset or carry their model (`experiment`); spec-file paths are for the CLI only. */
    series: seriesDefinition,
    datasetId,
    /** The first repeat's seed (default: the series' training.seed, else 42). */
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
  }),
  'series:stop': seriesRef,
  'series:resume': seriesRef,
  'series:list': empty,
  'series:report': seriesRef,
};

export type RequestSchemas = typeof REQUEST_SCHEMAS;
