/**
 * Layerbench -> Keras: models using every supported layer type (with non-trivial BatchNormalization
 * statistics) are exported as .keras and .h5, loaded by the real Keras with keras.models.load_model, and
 * must predict what Layerbench predicts on the same inputs, to 1e-4.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportModel } from '../../../main/export/export-run.js';
import type { EngineBackend } from '../../../main/engine/tf-types.js';
import { testBackend } from '../helpers/backend.js';
import { experimentOf, IMAGE_MODEL, seededInput, seededModel, VECTOR_MODEL, writeRunFolder } from './models.js';
import { maxAbsDiff, needsPython, python, runPython } from './python-env.js';

let backend: EngineBackend;
let work: string;

interface Case {
  name: string;
  run: string;
  input: string;
  shape: number[];
  expected: Float32Array;
}
const cases: Case[] = [];

beforeAll(async () => {
  backend = await testBackend();
  work = await mkdtemp(path.join(tmpdir(), 'lb-export-'));
  const tf = backend.tf;
  for (const [i, spec] of [IMAGE_MODEL, VECTOR_MODEL].entries()) {
    const model = seededModel(tf, spec, 100 + i);
    const x = seededInput(tf, spec, 6, 200 + i);
    const y = model.predict(x) as ReturnType<typeof tf.tensor>;
    const run = path.join(work, `run-${i}`);
    // Adam for one, RMSprop with momentum for the other: the .keras file carries each one's fresh state.
    await writeRunFolder(tf, model, experimentOf(spec, i === 0 ? { optimizer: 'adam', momentum: 0 } : {}), run);
    const input = path.join(work, `input-${i}.bin`);
    await writeFile(input, await x.data());
    cases.push({ name: spec.name!, run, input, shape: x.shape, expected: (await y.data()) as Float32Array });
    [x, y].forEach((t) => t.dispose());
    model.dispose();
  }
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('Layerbench -> Keras', () => {
  it.skipIf(!python.ok)(`keras.models.load_model loads the .keras and .h5 exports and predicts within 1e-4${needsPython}`, async () => {
    const jobs = [];
    for (const [i, c] of cases.entries()) {
      for (const format of ['keras', 'h5'] as const) {
        const file = path.join(work, `model-${i}.${format}`);
        const result = await exportModel(c.run, format, file);
        expect(result.path).toBe(file);
        jobs.push({ model: file, input: c.input, shape: c.shape, output: path.join(work, `out-${i}-${format}.bin`), case: c, format });
      }
    }
    await writeFile(path.join(work, 'jobs.json'), JSON.stringify(jobs.map(({ case: _c, format: _f, ...job }) => job)));
    const lines = runPython('keras_predict.py', [path.join(work, 'jobs.json')])
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { layers: string[]; compiled: boolean; warnings: string[] });
    expect(lines).toHaveLength(jobs.length);
    for (const [j, job] of jobs.entries()) {
      const got = new Float32Array((await readFile(job.output)).buffer.slice(0));
      const diff = maxAbsDiff(got, job.case.expected);
      expect(diff, `${job.case.name} as .${job.format}: max abs diff ${diff}`).toBeLessThanOrEqual(1e-4);
      // The same layers came back, and the experiment's optimizer and loss with them.
      expect(lines[j].layers.length).toBe(job.case.name === IMAGE_MODEL.name ? IMAGE_MODEL.layers.length : VECTOR_MODEL.layers.length);
      expect(lines[j].compiled).toBe(true);
      // Nothing skipped: the optimizer state in the .keras file matches what Keras builds for the model.
      expect(lines[j].warnings.filter((w) => /Skipping|could not be loaded/.test(w))).toEqual([]);
    }
    const layerTypes = new Set(lines.flatMap((l) => l.layers));
    for (const t of [
      'Conv2D',
      'MaxPooling2D',
      'AveragePooling2D',
      'GlobalAveragePooling2D',
      'Dropout',
      'BatchNormalization',
      'Flatten',
      'Dense',
      'Activation',
    ]) {
      expect(layerTypes, t).toContain(t);
    }
  });
});
