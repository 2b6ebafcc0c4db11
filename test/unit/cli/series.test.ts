/**
 * `layerbench series` end to end through the built CLI on the bundled MNIST: the seed ablation trains and its
 * report's numbers are the runs' own records; a series killed mid-run and resumed ends with the report an
 * uninterrupted series gives, without retraining finished runs.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliBuilt } from '../helpers/cli.js';
import type { SeriesReport } from '../../../common/series-report.js';
import { lockFolder } from '../../../main/platform/folder-lock.js';
import type { EpochRecord } from '../../../common/training-events.js';

const CLI = path.resolve('main/cli/layerbench.mjs');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await cliBuilt(args);
  return { code: r.code, stdout: r.out, stderr: r.err };
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const epochsOf = (runDir: string): EpochRecord[] =>
  readFileSync(path.join(runDir, 'epochs.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as EpochRecord & { resumed?: unknown })
    .filter((r) => r.resumed === undefined);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lb-series-'));
});

describe('layerbench series seed-ablation', () => {
  it('trains the four seed presets for 2 epochs and reports exactly what the runs recorded', { timeout: 900_000 }, async () => {
    const out = path.join(dir, 'ablation');
    const r = await cli(['series', 'seed-ablation', '--dataset', 'mnist', '--epochs', '2', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Run 4/4 both (seed 42): training');
    const record = readJson<{ status: string; plan: { key: string; runDir: string; experiment: { training: { epochs: number } } }[] }>(
      path.join(out, 'series.json'),
    );
    expect(record.status).toBe('finished');
    expect(record.plan.map((p) => p.key)).toEqual(['01-baseline-seed42', '02-dropout-seed42', '03-batchnorm-seed42', '04-both-seed42']);
    const report = readJson<SeriesReport>(path.join(out, 'report', 'report.json'));
    for (const [i, entry] of record.plan.entries()) {
      const history = epochsOf(path.join(out, entry.runDir));
      expect(history).toHaveLength(2);
      const row = report.runs[i];
      expect(row.finalValAccuracy).toBe(history[1].val_accuracy);
      expect(row.bestValAccuracy).toBe(Math.max(history[0].val_accuracy!, history[1].val_accuracy!));
      expect(report.groups[i].curves.val_loss.map((p) => p.value)).toEqual(history.map((h) => h.val_loss));
    }
    expect(report.groups.map((g) => g.totalParams)).toEqual([889_834, 889_834, 890_602, 890_602]);
    expect(report.groups.filter((g) => g.best)).toHaveLength(1);
    for (const metric of ['loss', 'accuracy', 'val_loss', 'val_accuracy']) {
      const meta = await sharp(path.join(out, 'report', 'charts', `${metric}.png`)).metadata();
      expect(meta.format).toBe('png');
    }
    const md = readFileSync(path.join(out, 'report', 'report.md'), 'utf8');
    expect(md).toContain(
      `| baseline${report.groups[0].best ? ' ★' : ''} | – | 1 | ${report.groups[0].finalValAccuracy!.mean.toFixed(4)} |`,
    );
  });
});

describe('layerbench series resume', () => {
  const tiny = (dropout: boolean) => ({
    model: {
      inputShape: [28, 28, 1],
      layers: [
        { type: 'Flatten' },
        { type: 'Dense', units: 16, activation: 'relu' },
        ...(dropout ? [{ type: 'Dropout', rate: 0.3 }] : []),
        { type: 'Dense', units: 10, activation: 'softmax' },
      ],
    },
  });

  async function seriesFile(): Promise<string> {
    await writeFile(path.join(dir, 'plain.json'), JSON.stringify(tiny(false)));
    await writeFile(path.join(dir, 'dropout.json'), JSON.stringify(tiny(true)));
    const file = path.join(dir, 'tiny-series.json');
    await writeFile(
      file,
      JSON.stringify({
        name: 'tiny',
        variants: [
          { name: 'plain', spec: 'plain.json' },
          { name: 'dropout', spec: 'dropout.json' },
        ],
        training: { epochs: 3, batchSize: 64 },
        repeats: 2,
      }),
    );
    return file;
  }

  it('resumes a series killed mid-run and ends with the same report, finished runs untouched', { timeout: 600_000 }, async () => {
    const file = await seriesFile();
    const whole = path.join(dir, 'whole');
    expect((await cli(['series', file, '--dataset', 'mnist', '--out', whole])).code).toBe(0);

    // Killed (SIGKILL, no cleanup) once the third run has logged its first epoch.
    const killed = path.join(dir, 'killed');
    const child = spawn(process.execPath, [CLI, 'series', file, '--dataset', 'mnist', '--out', killed], { stdio: 'ignore' });
    const third = path.join(killed, 'runs', '03-dropout-seed42', 'epochs.jsonl');
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        if (existsSync(third) && readFileSync(third, 'utf8').trim().length > 0) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve();
        }
      }, 20);
      child.on('exit', () => {
        clearInterval(poll);
        reject(new Error('the series ended before it could be killed'));
      });
    });
    const firstRun = path.join(killed, 'runs', '01-plain-seed42', 'run.json');
    const before = readFileSync(firstRun, 'utf8');
    expect(readJson<{ status: string }>(path.join(killed, 'series.json')).status).toBe('running');

    const resumed = await cli(['series', 'resume', killed]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('Run 1/4 plain (seed 42): already finished, kept');
    expect(resumed.stdout).toContain('Run 3/4 dropout (seed 42): resuming');
    expect(resumed.stdout).toContain('Run 4/4 dropout (seed 43): training');
    expect(readFileSync(firstRun, 'utf8')).toBe(before);
    expect(readJson<{ resumes?: unknown[] }>(path.join(killed, 'runs', '03-dropout-seed42', 'run.json')).resumes).toHaveLength(1);

    const a = readJson<SeriesReport>(path.join(whole, 'report', 'report.json'));
    const b = readJson<SeriesReport>(path.join(killed, 'report', 'report.json'));
    expect(b.runs.map((r) => [r.id, r.epochs, r.status])).toEqual(a.runs.map((r) => [r.id, r.epochs, r.status]));
    // A resume restores weights and Adam's state from the checkpoint: equal up to float rounding.
    for (const [i, g] of a.groups.entries()) {
      expect(b.groups[i].finalValAccuracy!.mean).toBeCloseTo(g.finalValAccuracy!.mean, 4);
      expect(b.groups[i].bestValAccuracy!.mean).toBeCloseTo(g.bestValAccuracy!.mean, 4);
      expect(b.groups[i].best).toBe(g.best);
    }
  });

  it('exits 2 with the field for a bad series file, and for a folder that is not a series', async () => {
    const bad = path.join(dir, 'bad-series.json');
    await writeFile(bad, JSON.stringify({ name: 'x', variants: [{ name: 'a', preset: 'seed-baseline' }], grid: { batchSize: [0] } }));
    const r = await cli(['series', bad, '--dataset', 'mnist']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('grid.batchSize[0]:');
    const notSeries = await cli(['series', 'resume', dir]);
    expect(notSeries.code).toBe(2);
    expect(notSeries.stderr).toContain('is not a series folder');
  });

  it('refuses to train a series another process is training', async () => {
    const whole = path.join(dir, 'whole');
    const lock = await lockFolder(whole, 'train series');
    try {
      const r = await cli(['series', 'resume', whole]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`cannot train the series ${whole}`);
      expect(r.stderr).toContain(String(process.pid));
    } finally {
      await lock.release();
    }
  });
});
