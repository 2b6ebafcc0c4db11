/** `layerbench summary`: prints the Keras-style summary table of a spec or preset. */
import { formatSummary, summarize } from '../../common/summarize.js';
import { loadDataset } from '../data/registry.js';
import { DatasetError } from '../data/dataset.js';
import { CliError, EXIT } from './exit-codes.js';
import { loadExperiment } from './load-spec.js';

export async function summaryCommand(args: { spec?: string; preset?: string; dataset?: string }): Promise<number> {
  let target;
  if (args.dataset) {
    try {
      const ds = await loadDataset(args.dataset);
      target = { inputShape: ds.inputShape, numClasses: ds.classNames.length };
    } catch (e) {
      if (e instanceof DatasetError) throw new CliError(`dataset error: ${e.message}`, EXIT.dataset);
      throw e;
    }
  }
  const { experiment, label } = await loadExperiment(args.spec, args.preset, target);
  const summary = summarize(experiment.model, target ? { numClasses: target.numClasses } : {});
  process.stdout.write(formatSummary(summary, experiment.model.name ?? label) + '\n');
  return summary.ok ? EXIT.ok : EXIT.usage;
}
