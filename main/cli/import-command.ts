/**
 * `layerbench import <file.keras | file.h5 | model.json> --out DIR`: a model trained elsewhere as a Layerbench
 * model folder (experiment.json + model.json + weights.bin) that the engine loads and exports again.
 */
import { formatSummary, summarize } from '../../common/summarize.js';
import { loadBackend } from '../backend/index.js';
import { importModel } from '../runs/import-model.js';
import { KerasImportError } from '../export/keras-model-config.js';
import { WeightsError } from '../export/weights.js';
import { SaveError } from '../engine/save.js';
import { ExportTargetError } from '../export/export-target.js';
import { CliError, EXIT } from './exit-codes.js';
import { targetRefused } from './export-command.js';

type Values = Record<string, string | boolean | undefined>;

export const importCommand = {
  options: { out: { type: 'string' as const }, force: { type: 'boolean' as const } },
  run: async (positionals: string[], values: Values): Promise<number> => {
    const [file, extra] = positionals;
    if (!file || extra) throw new CliError('import needs one model file: a .keras, .h5 or TensorFlow.js model.json', EXIT.usage);
    if (typeof values.out !== 'string') throw new CliError('import needs --out DIR, the folder to write the imported model to', EXIT.usage);
    const backend = await loadBackend();
    try {
      const result = await importModel(backend.tf, file, values.out, { force: values.force === true });
      const summary = summarize(result.experiment.model);
      process.stdout.write(formatSummary(summary, result.experiment.model.name) + '\n');
      process.stdout.write(`Imported ${file} to ${result.dir} (${result.files.join(', ')})\n`);
      process.stdout.write(
        `Its spec is ${result.dir}/experiment.json; export it again with: layerbench export ${result.dir} --format keras\n` +
          `Train on from its weights with: layerbench train ${result.dir}/experiment.json --dataset REF --init-weights ${result.dir}\n`,
      );
      return EXIT.ok;
    } catch (e) {
      if (e instanceof ExportTargetError) throw targetRefused(e);
      if (e instanceof KerasImportError || e instanceof WeightsError) throw new CliError(`import failed: ${e.message}`, EXIT.usage);
      if (e instanceof SaveError) throw new CliError(`import failed: ${e.message}`, EXIT.io);
      throw e;
    }
  },
};
