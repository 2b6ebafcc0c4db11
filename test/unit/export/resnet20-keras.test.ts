/**
 * The resnet20 preset exported as .keras: the real Keras loads it as a functional model with the 274,042
 * parameters it counts for ResNet-20 on CIFAR-10, and predicts what Layerbench predicts, to 1e-4.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportModel } from '../../../main/export/export-run.js';
import type { EngineBackend, Tensor } from '../../../main/engine/tf-types.js';
import { CIFAR10_TARGET, preset } from '../../../common/presets.js';
import { testBackend } from '../helpers/backend.js';
import { seededInput, seededModel, writeRunFolder } from './models.js';
import { maxAbsDiff, needsPython, python, runPython } from './python-env.js';

let backend: EngineBackend;
let work: string;
beforeAll(async () => {
  backend = await testBackend();
  work = await mkdtemp(path.join(tmpdir(), 'lb-resnet20-keras-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('resnet20 in Keras', () => {
  it.skipIf(!python.ok)(`exports a .keras that Keras loads with 274,042 parameters and the same predictions${needsPython}`, async () => {
    const tf = backend.tf;
    const experiment = preset('resnet20', CIFAR10_TARGET);
    // Seeded weights and BatchNormalization statistics far from 0 and 1, so a mix-up of any weight shows; the
    // kernels scaled by 1/sqrt(fan-in) so twenty layers do not saturate the softmax into 0s and 1s.
    const model = seededModel(tf, experiment.model, 2016);
    for (const layer of model.layers) {
      if (!['Conv2D', 'Dense'].includes(layer.getClassName())) continue;
      const [kernel, ...rest] = layer.getWeights();
      const fanIn = kernel.shape.slice(0, -1).reduce((a, b) => a * b, 1);
      layer.setWeights([tf.mul(kernel, 1 / Math.sqrt(fanIn)), ...rest]);
    }
    const x = seededInput(tf, experiment.model, 4, 20);
    const y = model.predict(x) as Tensor;
    const run = path.join(work, 'run');
    const classNames = Array.from({ length: 10 }, (_, i) => `class${i}`);
    await writeRunFolder(tf, model, experiment, run, { id: 'cifar10', source: '/data/cifar10', classNames });
    const file = path.join(work, 'resnet20.keras');
    await exportModel(run, 'keras', file);
    const input = path.join(work, 'input.bin');
    await writeFile(input, await x.data());
    const job = { model: file, input, shape: x.shape, output: path.join(work, 'output.bin') };
    await writeFile(path.join(work, 'jobs.json'), JSON.stringify([job]));
    const line = runPython('keras_predict.py', [path.join(work, 'jobs.json')])
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { layers: string[]; params: number; compiled: boolean; warnings: string[] })[0];
    expect(line.params).toBe(274_042);
    expect(line.layers.filter((l) => l === 'Add')).toHaveLength(9);
    expect(line.compiled).toBe(true);
    expect(line.warnings.filter((w) => /Skipping|could not be loaded|mismatch/.test(w))).toEqual([]);
    const got = new Float32Array((await readFile(job.output)).buffer.slice(0));
    const expected = (await y.data()) as Float32Array;
    expect(got).toHaveLength(4 * 10);
    expect(Math.max(...expected), 'the predictions are not saturated').toBeLessThan(0.99);
    const diff = maxAbsDiff(got, expected);
    expect(diff, `max abs diff ${diff}`).toBeLessThanOrEqual(1e-4);
    tf.dispose([x, y]);
    model.dispose();
  });
});
