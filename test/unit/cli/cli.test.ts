import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBundledMnist } from '../../../main/data/bundled.js';
import { stratifiedSplit } from '../../../main/data/split.js';
import { loadModelFromDir } from '../../../main/engine/save.js';
import { evaluateSubset } from '../../../main/engine/validate.js';
import type { EngineBackend } from '../../../main/engine/tf-types.js';
import { testBackend } from '../helpers/backend.js';
import { tinyExperiment } from '../helpers/fixtures.js';

// The CLI runs from the build (npm test builds first), exactly as users run it.
const CLI = path.resolve('main/cli/layerbench.mjs');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

let backend: EngineBackend;
let dir: string;
/** The run `layerbench train` wrote (the train test below), for the evaluate and predict tests after it. */
let trainedRun: string;
beforeAll(async () => {
  backend = await testBackend();
  dir = await mkdtemp(path.join(tmpdir(), 'lb-cli-'));
});

describe('layerbench summary', () => {
  it('prints the Keras table for seed-baseline with Total params: 1,250,858', async () => {
    const r = await cli(['summary', '--preset', 'seed-baseline']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Total params: 1,250,858');
    expect(r.stdout).toMatch(/conv2d_1 \(Conv2D\)\s+\(None, 30, 30, 32\)\s+9,248/);
  });

  it('exits 2 naming the layer and field of an invalid spec file', async () => {
    const file = path.join(dir, 'bad.json');
    const spec = tinyExperiment();
    await writeFile(file, JSON.stringify({ ...spec, model: { ...spec.model, layers: [{ type: 'Conv2D', filters: -1, kernelSize: 3 }] } }));
    const r = await cli(['summary', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('layers[0] (Conv2D): layers[0].filters is -1; allowed: at least 1');
  });

  it('exits 2 naming a spec file that nests too deeply', async () => {
    const file = path.join(dir, 'deep.json');
    const spec = JSON.stringify(tinyExperiment());
    await writeFile(file, `${spec.slice(0, -1)},"notes":${'['.repeat(6000)}${']'.repeat(6000)}}`);
    const r = await cli(['summary', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`spec file ${file} nests too deeply: notes[0][0][0]…`);
  });

  it('exits 2 on an unknown preset, listing the presets', async () => {
    const r = await cli(['summary', '--preset', 'resnet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('seed-baseline, seed-dropout, seed-batchnorm, seed-both');
  });
});

describe('layerbench train', () => {
  it('exits 3 on an unknown dataset', async () => {
    const r = await cli(['train', '--preset', 'seed-baseline', '--dataset', 'imagenet']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('unknown dataset "imagenet"');
  });

  it('exits 2 when the model does not fit the dataset, before training', async () => {
    const r = await cli(['train', '--preset', 'seed-baseline', '--dataset', 'mnist', '--batch-size', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('training.batchSize is 0; allowed: at least 1');
  });

  it('trains, prints the Keras log, and saves a model that reproduces the logged validation accuracy', async () => {
    const spec = path.join(dir, 'tiny.json');
    await writeFile(spec, JSON.stringify(tinyExperiment({ epochs: 1 })));
    const out = path.join(dir, 'run');
    trainedRun = out;
    const r = await cli(['train', spec, '--dataset', 'mnist', '--out', out]);
    expect(r.stderr).not.toContain('layerbench:');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('Train on 7500 samples, validate on 2500 samples');
    expect(lines).toContain('Epoch 1/1');
    // 7500 images in batches of 32: 235 steps, timed per training step as Keras prints them.
    const epochLine = lines.find((l) => l.startsWith('235/235 ['));
    expect(epochLine).toMatch(
      /^235\/235 \[={30}\] - \d+s \d+(ms|us)\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}$/,
    );
    // Not a terminal: no carriage-return progress redraws in the output.
    expect(r.stdout).not.toContain('\r');
    expect(await readdir(out)).toEqual(expect.arrayContaining(['epochs.jsonl', 'log.txt', 'model', 'run.json']));
    const info = JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8'));
    expect(info).toMatchObject({
      status: 'finished',
      backend: { name: backend.name },
      dataset: { id: 'mnist', split: { trainCount: 7500, validationCount: 2500 } },
    });
    const epochs = (await readFile(path.join(out, 'epochs.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(epochs).toHaveLength(1);
    expect(await readFile(path.join(out, 'log.txt'), 'utf8')).toContain(epochLine);

    // The saved model, reloaded, scores the recorded split exactly as the run logged it.
    const model = await loadModelFromDir(backend.tf, path.join(out, 'model'));
    const mnist = await loadBundledMnist();
    const split = stratifiedSplit(mnist.train, info.dataset.split.requested, info.dataset.split.seed);
    const val = await evaluateSubset(backend.tf, model, split.validation, [28, 28, 1], 10);
    model.dispose();
    expect(Math.abs(val.accuracy - epochs[0].val_accuracy)).toBeLessThan(1e-6);
    expect(Math.abs(val.loss - epochs[0].val_loss)).toBeLessThan(1e-4);

    // Training again into the same folder would mix two runs: refused, and the run on disk is untouched.
    const logBefore = await readFile(path.join(out, 'epochs.jsonl'), 'utf8');
    const again = await cli(['train', spec, '--dataset', 'mnist', '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`${out} already holds a run`);
    expect(await readFile(path.join(out, 'epochs.jsonl'), 'utf8')).toBe(logBefore);
  });
});

describe('layerbench evaluate and predict on a model folder that is not a run', () => {
  it("asks for --dataset, then evaluates and predicts with it; a run's model/ folder is its run", async () => {
    expect(trainedRun, 'the train test above runs first').toBeDefined();
    // Only the weights, as an import leaves them: no run.json beside them, no class names.
    const theirs = path.join(dir, 'theirs');
    await mkdir(theirs);
    for (const f of ['model.json', 'weights.bin']) await copyFile(path.join(trainedRun, 'model', f), path.join(theirs, f));

    const bare = await cli(['evaluate', theirs]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('is not a run, so it names no dataset: give one with --dataset REF');

    const r = await cli(['evaluate', theirs, '--dataset', 'mnist']);
    expect(r.stderr).not.toContain('layerbench:');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Evaluated the final model on the training images of mnist (10000 images)');
    expect(r.stdout).toContain(`Report and images: ${path.join(theirs, 'evaluation')}`);

    const ofRun = await cli(['evaluate', path.join(trainedRun, 'model')]);
    expect(ofRun.code).toBe(0);
    expect(ofRun.stdout).toContain(`Report and images: ${path.join(trainedRun, 'evaluation')}`);

    const mnist = await loadBundledMnist();
    const png = path.join(dir, 'digit.png');
    await sharp(Buffer.from(mnist.train.images.subarray(0, 784)), { raw: { width: 28, height: 28, channels: 1 } })
      .png()
      .toFile(png);
    const p = await cli(['predict', theirs, png, '--top', '1']);
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(new RegExp(`^${png.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\d \\d+\\.\\d%\n$`));
  });
});
