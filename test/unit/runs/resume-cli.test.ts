/**
 * Kills real `layerbench` processes with SIGKILL at chosen points (between epochs, mid-batch, mid-save of a
 * checkpoint or of the final model) and checks that `layerbench resume` then ends with the same weights as an
 * uninterrupted run of the same seed. Runs from the build, as users run it (npm test builds first).
 */
import { execFile, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { openRun } from '../../../main/runs/run-store.js';
import { maxAbsDiff, tempDir, weightsIn } from './helpers.js';

const CLI = path.resolve('main/cli/layerbench.mjs');
const CRASHER = path.resolve('test/unit/runs/fixtures/crash-during-save.mjs');
const SPEC = {
  model: {
    name: 'tiny',
    inputShape: [28, 28, 1],
    layers: [
      { type: 'Conv2D', filters: 4, kernelSize: 3, strides: 2, activation: 'relu' },
      { type: 'MaxPooling2D', poolSize: 2 },
      { type: 'Dropout', rate: 0.2 },
      { type: 'Flatten' },
      { type: 'Dense', units: 10, activation: 'softmax' },
    ],
  },
  // Small batches keep an epoch long enough (about 500 steps) for a kill 150 ms into it to land mid-epoch.
  training: { epochs: 3, batchSize: 16, seed: 7 },
};

let root: string;
let specFile: string;
let reference: Float32Array;
let ops: string[];

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, args, { maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** Starts `layerbench train` and SIGKILLs it `delayMs` after it prints `Epoch 2/3` (epoch 1 fully saved). */
function trainAndKill(dir: string, delayMs: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'train', specFile, '--dataset', 'mnist', '--out', dir], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const had = out.includes('Epoch 2/3');
      out += chunk.toString();
      if (!had && out.includes('Epoch 2/3')) setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve(signal));
  });
}

async function resumeAndCompare(dir: string): Promise<void> {
  const before = await openRun(dir);
  expect(before.state).toBe('interrupted');
  const r = await run([CLI, 'resume', dir]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/Resuming after epoch \d|no epoch had been checkpointed/);
  expect(r.stdout).toMatch(/^Evaluated on the run's validation split \(2000 images; .*\): loss \d\.\d{4} - accuracy 0\.\d{4}$/m);
  const after = await openRun(dir);
  expect(after.state).toBe('finished');
  expect(after.history.map((e) => e.epoch)).toEqual([1, 2, 3]);
  expect(maxAbsDiff(await weightsIn(path.join(dir, 'model')), reference)).toBeLessThan(1e-5);
}

beforeAll(async () => {
  root = await tempDir('kill');
  specFile = path.join(root, 'spec.json');
  await writeFile(specFile, JSON.stringify(SPEC));
  // The uninterrupted reference, which also lists every file operation of a run in order.
  const dir = path.join(root, 'reference');
  const r = await run([CRASHER, specFile, dir, 'count']);
  expect(r.code, r.stderr).toBe(0);
  ops = JSON.parse(r.stdout.trim().split('\n').pop()!);
  reference = await weightsIn(path.join(dir, 'model'));
});

/** 1-based index of the `nth` operation matching `pattern`. */
function opIndex(pattern: RegExp, nth = 1): number {
  let seen = 0;
  const i = ops.findIndex((op) => pattern.test(op) && ++seen === nth);
  expect(i, `no operation ${pattern} #${nth} in ${ops.join('\n')}`).toBeGreaterThanOrEqual(0);
  return i + 1;
}

describe('kill the training process and resume', () => {
  it('between epochs', async () => {
    const dir = path.join(root, 'between');
    expect(await trainAndKill(dir, 0)).toBe('SIGKILL');
    expect((await openRun(dir)).history.map((e) => e.epoch)).toEqual([1]);
    await resumeAndCompare(dir);
  });

  it('mid-batch', async () => {
    const dir = path.join(root, 'mid-batch');
    expect(await trainAndKill(dir, 150)).toBe('SIGKILL');
    const run = await openRun(dir);
    expect(run.history.map((e) => e.epoch)).toEqual([1]);
    expect(run.resumable).toBe(true);
    await resumeAndCompare(dir);
  });

  it('two resumes of one folder at once: one trains, the other is refused, and the epochs are written once', async () => {
    const dir = path.join(root, 'twice');
    expect(await trainAndKill(dir, 0)).toBe('SIGKILL');
    const [a, b] = await Promise.all([run([CLI, 'resume', dir]), run([CLI, 'resume', dir])]);
    const codes = [a.code, b.code].sort();
    // The second either meets the first's lock or, had it started after the first ended, a finished run.
    expect(codes, a.stderr + b.stderr).toEqual([0, 2]);
    expect((a.code === 2 ? a : b).stderr).toMatch(/in use by process \d+|has finished/);
    const epochs = (await readFile(path.join(dir, 'epochs.jsonl'), 'utf8')).trim().split('\n');
    expect(epochs.filter((l) => l.includes('"resumed"'))).toHaveLength(1);
    expect(epochs.filter((l) => !l.includes('"resumed"')).map((l) => JSON.parse(l).epoch)).toEqual([1, 2, 3]);
    expect(maxAbsDiff(await weightsIn(path.join(dir, 'model')), reference)).toBeLessThan(1e-5);
  });

  const points: [string, () => number][] = [
    ['after an epoch is logged, before its first checkpoint', () => opIndex(/^mkdir .*checkpoints$/)],
    ['between the two renames that swap a checkpoint in', () => opIndex(/^rename .*checkpoints\/last\.previous$/, 1)],
    ['after the final model is in place, before run.json says so', () => opIndex(/^rename .*\/model$/)],
  ];
  for (const [name, at] of points) {
    it(`mid-save: ${name}`, async () => {
      const dir = path.join(root, `save-${at()}`);
      const r = await run([CRASHER, specFile, dir, String(at())]);
      expect(r.code).toBeNull();
      await resumeAndCompare(dir);
      expect(JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8')).resumes).toHaveLength(1);
    });
  }
});

describe('layerbench runs, evaluate and predict', () => {
  it('evaluate prints the report on the validation split (bundled MNIST has no test set) and writes it with PNGs', async () => {
    const dir = path.join(root, 'reference');
    const r = await run([CLI, 'evaluate', dir, '--examples', '3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Evaluated the final model on the run's validation split \(2000 images; .* no separate test set\)/);
    expect(r.stdout).toMatch(/2000 images - loss: \d\.\d{4} - accuracy: 0\.\d{4}/);
    expect(r.stdout).toContain('Confusion matrix (rows: true class, columns: predicted class)');
    expect(r.stdout).toMatch(/Most confidently misclassified:\n {2}image \d+: true \d, predicted \d \(\d+\.\d%; true class/);
    const report = JSON.parse(await readFile(path.join(dir, 'evaluation', 'evaluation.json'), 'utf8'));
    expect(report.images).toHaveLength(3);
    const last = (await openRun(dir)).last!;
    expect(report.accuracy).toBeCloseTo(last.val_accuracy!, 6);

    const png = path.join(dir, 'evaluation', report.images[0]);
    const p = await run([CLI, 'predict', dir, png, '--top', '2', '--json']);
    expect(p.code, p.stderr).toBe(0);
    const { predictions } = JSON.parse(p.stdout);
    // The most confident mistake: predict gives the same wrong class with the same confidence.
    expect(predictions[0].top[0].index).toBe(report.misclassified[0].predicted);
    expect(predictions[0].top[0].probability).toBeCloseTo(report.misclassified[0].confidence, 5);
    const missing = await run([CLI, 'predict', dir, path.join(root, 'nope.png')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read image .*nope\.png: no such file/);
  });


  it('lists the runs with their state', async () => {
    const r = await run([CLI, 'runs', '--dir', root]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^reference\s+finished\s+3\/3/m);
    expect(r.stdout).toMatch(/^mid-batch\s+finished\s+3\/3/m);
  });
});
