/**
 * A run folder written by the Layerbench that came just before layer descriptors and graph models (commit
 * 6d95254): `fixtures/run-before-graphs` is a small BatchNormalization model trained with `layerbench train`
 * on the bundled MNIST (batch 8, 4 epochs) and stopped with Ctrl-C during epoch 3, so its `last` checkpoint
 * holds epoch 2. Today's command line must list it, resume it to the end, evaluate it and export it.
 */
import { cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cliInProcess as cli } from '../helpers/cli.js';
import { tempDir } from './helpers.js';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'run-before-graphs');

describe('a run folder from before graph models', () => {
  it('resumes from its epoch-2 checkpoint to epoch 4, then evaluates and exports to .keras', { timeout: 300_000 }, async () => {
    const dir = path.join(await tempDir('lb-before-graphs-'), 'run');
    await cp(FIXTURE, dir, { recursive: true });
    const before = JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8')) as { status: string; versions: { layerbench: string } };
    expect(before.status).toBe('stopped');

    const resumed = await cli('resume', dir);
    expect(resumed.err).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.out).toContain('Epoch 3/4');
    expect(resumed.out).toContain('Epoch 4/4');
    expect(resumed.out).not.toContain('Epoch 2/4');
    const record = JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8')) as { status: string };
    expect(record.status).toBe('finished');
    const epochs = (await readFile(path.join(dir, 'epochs.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { epoch: number; resumed?: unknown })
      .filter((r) => r.resumed === undefined)
      .map((r) => r.epoch);
    expect(epochs).toEqual([1, 2, 3, 4]);

    const evaluated = await cli('evaluate', dir, '--json');
    expect(evaluated.code).toBe(0);
    const evaluation = JSON.parse(evaluated.out) as { accuracy: number };
    expect(evaluation.accuracy).toBeGreaterThan(0.8);

    const out = path.join(await tempDir('lb-before-graphs-'), 'model.keras');
    const exported = await cli('export', dir, '--format', 'keras', '--out', out);
    expect(exported.err).toBe('');
    expect(exported.code).toBe(0);
    expect((await readFile(out)).subarray(0, 2).toString('latin1')).toBe('PK');
  });
});
