/** The `layerbench` command line: the engine without a window. */
import { parseArgs } from 'node:util';
import { datasetCommand } from './dataset-command.js';
import { exportCommand } from './export-command.js';
import { importCommand } from './import-command.js';
import { evaluateCommand } from './evaluate-command.js';
import { predictCommand } from './predict-command.js';
import { resumeCommand } from './resume-command.js';
import { runsCommand } from './runs-command.js';
import { CliError, EXIT } from './exit-codes.js';
import { summaryCommand } from './summary-command.js';
import { serveCommand } from './serve-command.js';
import { reportCommand, seriesCommand } from './series-command.js';
import { trainCommand } from './train-command.js';
import { appVersion } from '../platform/app-version.js';

const USAGE = `Usage: layerbench <command> [options]

Commands:
  train   <spec.json | --preset NAME> --dataset NAME [--epochs N] [--batch-size N]
          [--learning-rate X] [--seed N] [--out DIR] [--validation-split X]
          [--checkpoint-metric val_loss|val_accuracy|loss|accuracy]
          [--early-stopping-patience N] [--early-stopping-min-delta X] [--restore-best-weights true|false]
          [--init-weights MODEL_DIR]  (start from a model folder's weights, e.g. from \`import --out\`)
                     Train headlessly; writes the run folder (log, epochs, checkpoints, saved model).
  resume  <run folder>
                     Continue an interrupted, stopped or failed run from its last completed epoch.
  series  <series.json | seed-ablation> --dataset NAME [--epochs N] [--repeats N] [--seed N] [--out DIR]
                     Train every variant of an experiment series in turn into one series folder and
                     write its report (report.html, report.md + charts/); Ctrl-C stops and keeps it all.
  series resume <series folder>
                     Continue a stopped or killed series: finished runs are kept, the interrupted one resumes.
  report  <series folder | run folders...> [--out DIR]
                     Write the comparison report (HTML, Markdown + PNG charts) of a series or of any runs.
  runs    [--dir DIR] [--json]
                     List the runs in DIR (default runs/) with their state; interrupted runs are marked.
  evaluate <run folder | model folder> [--dataset REF] [--model final|best|last] [--examples N] [--json]
                     Test-set loss/accuracy, confusion matrix, per-class scores, worst mistakes as PNGs.
                     A model folder that is not a run (an import) needs --dataset.
  predict <run folder | model folder> <image files...> [--dataset REF] [--model final|best|last]
          [--top N] [--json]
                     Top classes of each image with probabilities (--dataset: its class names).
  summary <spec.json | --preset NAME> [--dataset NAME]
                     Print the Keras-style model summary.
  dataset inspect <ref>
                     Load a dataset; print classes, images per class, size, memory, skipped files.
  dataset download cifar10 --out DIR
                     Download the CIFAR-10 binary archive with a progress bar; MD5 checked.
  dataset cache [--clear]
                     Show the decoded-dataset cache (folder, entries, size, limit); --clear empties it.
  export  <run folder | model folder> --format keras|h5|tfjs|python [--out PATH] [--force]
                     Export the model as Keras .keras/.h5, a TensorFlow.js folder (with a README), or
                     the experiment as a Python/Keras training script (default: RUN/exports/).
                     An existing folder at PATH (a non-empty one for tfjs) is replaced only with --force;
                     a run folder never.
  import  <model.keras | model.h5 | model.json> --out DIR [--force]
                     Import a Keras or TensorFlow.js model as a Layerbench model folder (spec + weights);
                     a non-empty DIR is replaced only with --force, a run folder never.
  serve   [--port N] [--data-dir DIR]
                     Serve the app's UI to a browser on this machine (URL with access token).

Presets:  seed-baseline, seed-dropout, seed-batchnorm, seed-both
Datasets: mnist (bundled), cifar10:<archive.tar.gz|folder>, cifar100:<path>[#fine|#coarse],
          folder:<root>[#size=32x32,channels=1|3,resize=stretch|crop|pad,nocache], idx:<folder|images file>

Exit codes: 0 ok, 1 training failed, 2 bad usage or spec, 3 dataset error, 4 write error, 130 stopped.`;

type Handler = (positionals: string[], values: Record<string, string | boolean | undefined>) => Promise<number>;

function intOption(values: Record<string, unknown>, key: string): number | undefined {
  const v = values[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new CliError(`--${key} must be a whole number, got "${String(v)}"`, EXIT.usage);
  return n;
}

function numberOption(values: Record<string, unknown>, key: string): number | undefined {
  const v = values[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new CliError(`--${key} must be a number, got "${String(v)}"`, EXIT.usage);
  return n;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

const commands: Record<string, { options: Record<string, { type: 'string' | 'boolean' }>; run: Handler }> = {
  train: {
    options: {
      preset: { type: 'string' },
      dataset: { type: 'string' },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      'learning-rate': { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      'validation-split': { type: 'string' },
      'checkpoint-metric': { type: 'string' },
      'early-stopping-patience': { type: 'string' },
      'early-stopping-min-delta': { type: 'string' },
      'restore-best-weights': { type: 'string' },
      'init-weights': { type: 'string' },
    },
    run: (pos, v) => {
      const dataset = str(v.dataset);
      if (!dataset) throw new CliError('train needs --dataset NAME (for example --dataset mnist)', EXIT.usage);
      return trainCommand({
        spec: pos[0],
        preset: str(v.preset),
        dataset,
        epochs: intOption(v, 'epochs'),
        batchSize: intOption(v, 'batch-size'),
        learningRate: numberOption(v, 'learning-rate'),
        seed: intOption(v, 'seed'),
        out: str(v.out),
        validationSplit: numberOption(v, 'validation-split'),
        checkpointMetric: str(v['checkpoint-metric']),
        earlyStoppingPatience: intOption(v, 'early-stopping-patience'),
        earlyStoppingMinDelta: numberOption(v, 'early-stopping-min-delta'),
        restoreBestWeights: v['restore-best-weights'] === undefined ? undefined : v['restore-best-weights'] !== 'false',
        initWeights: str(v['init-weights']),
      });
    },
  },
  dataset: datasetCommand,
  export: exportCommand,
  import: importCommand,
  resume: { options: {}, run: (pos) => resumeCommand(pos[0]) },
  series: {
    options: {
      dataset: { type: 'string' },
      epochs: { type: 'string' },
      repeats: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
    },
    run: (pos, v) =>
      seriesCommand(pos, {
        dataset: str(v.dataset),
        epochs: intOption(v, 'epochs'),
        repeats: intOption(v, 'repeats'),
        seed: intOption(v, 'seed'),
        out: str(v.out),
      }),
  },
  report: { options: { out: { type: 'string' } }, run: (pos, v) => reportCommand(pos, { out: str(v.out) }) },
  runs: {
    options: { dir: { type: 'string' }, json: { type: 'boolean' } },
    run: (_pos, v) => runsCommand({ dir: str(v.dir), json: v.json === true }),
  },
  evaluate: {
    options: { dataset: { type: 'string' }, model: { type: 'string' }, examples: { type: 'string' }, json: { type: 'boolean' } },
    run: (pos, v) =>
      evaluateCommand(pos[0], { dataset: str(v.dataset), model: str(v.model), examples: intOption(v, 'examples'), json: v.json === true }),
  },
  predict: {
    options: { dataset: { type: 'string' }, model: { type: 'string' }, top: { type: 'string' }, json: { type: 'boolean' } },
    run: (pos, v) => predictCommand(pos, { dataset: str(v.dataset), model: str(v.model), top: intOption(v, 'top'), json: v.json === true }),
  },
  serve: {
    options: { port: { type: 'string' }, 'data-dir': { type: 'string' } },
    run: (_pos, v) => serveCommand({ port: intOption(v, 'port'), dataDir: str(v['data-dir']) }),
  },
  summary: {
    options: { preset: { type: 'string' }, dataset: { type: 'string' } },
    run: (pos, v) => summaryCommand({ spec: pos[0], preset: str(v.preset), dataset: str(v.dataset) }),
  },
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE + '\n');
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === '--version') {
    process.stdout.write(appVersion() + '\n');
    return EXIT.ok;
  }
  const command = commands[name];
  try {
    if (!command) throw new CliError(`unknown command "${name}"\n\n${USAGE}`, EXIT.usage);
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
    } catch (e) {
      throw new CliError(`${(e as Error).message}\n\n${USAGE}`, EXIT.usage);
    }
    return await command.run(parsed.positionals, parsed.values as Record<string, string | boolean | undefined>);
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`layerbench: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`layerbench: unexpected error: ${(e as Error).stack ?? String(e)}\n`);
    return EXIT.trainingFailed;
  }
}
