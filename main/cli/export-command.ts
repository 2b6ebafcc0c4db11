/**
 * `layerbench export <run folder | model folder> --format keras|h5|tfjs|python [--out PATH]`: the trained
 * model as a Keras file, a TensorFlow.js folder, or the experiment as a Python training script.
 */
import path from 'node:path';
import { EXPORT_FORMATS, type ExportFormat } from '../../common/contract.js';
import { EXPORT_EXTENSIONS, ExportError, exportModel } from '../export/export-run.js';
import { ExportTargetError } from '../export/export-target.js';
import { CliError, EXIT } from './exit-codes.js';

/** A refused --out (see export-target.ts): bad usage, with --force offered where it applies. */
export function targetRefused(e: ExportTargetError): CliError {
  return new CliError(`${e.message}${e.forceAllows ? '; choose another path, or add --force to replace it' : ''}`, EXIT.usage);
}

type Values = Record<string, string | boolean | undefined>;

const DEFAULT_NAMES: Record<ExportFormat, string> = { keras: 'model', h5: 'model', tfjs: 'tfjs-model', python: 'train' };

/** Without --out, exports go to an `exports` folder inside the run folder. */
function defaultOut(source: string, format: ExportFormat): string {
  return path.join(source, 'exports', DEFAULT_NAMES[format] + EXPORT_EXTENSIONS[format]);
}

export const exportCommand = {
  options: { format: { type: 'string' as const }, out: { type: 'string' as const }, force: { type: 'boolean' as const } },
  run: async (positionals: string[], values: Values): Promise<number> => {
    const [source, extra] = positionals;
    if (!source || extra)
      throw new CliError(
        'export needs one run folder or model folder, e.g. layerbench export runs/my-run --format keras --out model.keras',
        EXIT.usage,
      );
    const format = values.format;
    if (typeof format !== 'string' || !(EXPORT_FORMATS as readonly string[]).includes(format)) {
      throw new CliError(`export needs --format ${EXPORT_FORMATS.join('|')}${format ? `, got "${String(format)}"` : ''}`, EXIT.usage);
    }
    const out = typeof values.out === 'string' ? values.out : defaultOut(source, format as ExportFormat);
    try {
      const result = await exportModel(source, format as ExportFormat, out, { force: values.force === true });
      process.stdout.write(`Exported ${format} to ${result.path}${result.files.length > 1 ? ` (${result.files.join(', ')})` : ''}\n`);
      return EXIT.ok;
    } catch (e) {
      // A model that is missing or damaged is the caller's input; a failed write is an I/O error.
      if (e instanceof ExportTargetError) throw targetRefused(e);
      if (e instanceof ExportError) throw new CliError(`export failed: ${e.message}`, e.kind === 'write' ? EXIT.io : EXIT.usage);
      throw e;
    }
  },
};
