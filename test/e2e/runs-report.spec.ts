/**
 * The Report panel of the Runs view: ticked runs give the same variant table `layerbench report` writes (runs
 * that share a name are one variant, mean ± sd), and it exports as a self-contained HTML page that draws its
 * charts offline, and as Markdown with one PNG per chart. Its own server and data folder, so the suite's shared
 * server keeps the runs its other tests count.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test, type Download } from '@playwright/test';
import { preset } from '../../common/presets.js';
import { summarize } from '../../common/summarize.js';
import { serve, type Served } from './support/serve.js';
import { shot } from './support/helpers.js';

let root: string;
let served: Served;

const RUNS = [
  { id: 'r1-baseline', name: 'baseline', preset: 'seed-baseline', seed: 1, val: [0.61, 0.7, 0.74] },
  { id: 'r2-baseline', name: 'baseline', preset: 'seed-baseline', seed: 2, val: [0.6, 0.72, 0.72] },
  { id: 'r3-dropout', name: 'dropout', preset: 'seed-dropout', seed: 3, val: [0.58, 0.69, 0.76] },
] as const;

function writeRun(run: (typeof RUNS)[number], minute: number): void {
  const dir = path.join(root, 'runs', run.id);
  mkdirSync(dir, { recursive: true });
  const experiment = preset(run.preset);
  const info = {
    version: 1,
    name: run.name,
    createdAt: `2026-12-01T10:0${minute}:00.000Z`,
    experiment: { ...experiment, training: { ...experiment.training, epochs: 3, seed: run.seed } },
    dataset: {
      id: 'cifar10:x',
      name: 'CIFAR-10',
      source: 'x',
      inputShape: [32, 32, 3],
      classNames: Array.from({ length: 10 }, (_, i) => `c${i}`),
    },
    versions: { layerbench: '0', node: process.versions.node },
    status: 'finished',
    finishedAt: `2026-12-01T10:3${minute}:00.000Z`,
  };
  writeFileSync(path.join(dir, 'run.json'), JSON.stringify(info));
  const lines = run.val.map((v, i) =>
    JSON.stringify({
      epoch: i + 1,
      loss: 1.5 - i * 0.3,
      accuracy: 0.5 + i * 0.15,
      val_loss: 1.2 - i * 0.2,
      val_accuracy: v,
      durationMs: 4_000,
      samples: 40_000,
    }),
  );
  writeFileSync(path.join(dir, 'epochs.jsonl'), lines.join('\n') + '\n');
}

const params = (name: 'seed-baseline' | 'seed-dropout') =>
  summarize(preset(name).model, { numClasses: 10 }).totalParams.toLocaleString('en-US');

test.beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'layerbench-e2e-runs-report-'));
  RUNS.forEach((r, i) => writeRun(r, i));
  served = await serve(root);
});
test.afterAll(async () => {
  await served?.stop();
  rmSync(root, { recursive: true, force: true });
});

test('ticked runs show the report table and export it as HTML with drawn charts and as Markdown with PNGs', async ({ page }) => {
  await page.goto(served.url);
  await page.getByRole('tab', { name: 'Runs' }).click();
  for (const r of RUNS) await page.locator(`[data-testid="run-row"][data-run-id="${r.id}"] [data-testid="run-select"]`).check();

  const rows = page.getByTestId('report-row');
  await expect(rows).toHaveCount(2);
  // Run records: baseline finals 0.74 and 0.72 (best 0.74 at 3, 0.72 at 2), dropout 0.76 (best at 3); gap = accuracy 0.8 − final.
  const baseline = rows.filter({ hasText: 'baseline' }).locator('td');
  await expect(baseline.nth(2)).toHaveText('2');
  await expect(baseline.nth(3)).toHaveText('0.7300 ± 0.0141');
  await expect(baseline.nth(4)).toHaveText('0.7300 ± 0.0141 (3, 2)');
  await expect(baseline.nth(5)).toHaveText('0.0700 ± 0.0141');
  await expect(baseline.nth(6)).toHaveText('4.0 ± 0.0');
  await expect(baseline.nth(7)).toHaveText(params('seed-baseline'));
  const best = page.locator('[data-testid="report-row"].best td');
  await expect(best.first()).toHaveText('dropout ★');
  await expect(best.nth(3)).toHaveText('0.7600');
  await expect(best.nth(4)).toHaveText('0.7600 (3)');
  await expect(best.nth(7)).toHaveText(params('seed-dropout'));
  await page.getByTestId('runs-report').scrollIntoViewIfNeeded();
  await shot(page, 'runs-report');

  const [html] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-export-html').click()]);
  expect(html.suggestedFilename()).toBe('report.html');
  const htmlFile = path.join(root, 'report.html');
  await html.saveAs(htmlFile);
  const report = await page.context().newPage();
  await report.goto(pathToFileURL(htmlFile).href);
  await expect(report.locator('tr.best td').first()).toHaveText('dropout ★');
  await expect(report.locator('figure[data-metric]')).toHaveCount(4);
  for (const metric of ['loss', 'accuracy', 'val_loss', 'val_accuracy']) {
    const lines = report.locator(`figure[data-metric="${metric}"] path.series`);
    await expect(lines).toHaveCount(2);
    const box = await lines.first().boundingBox();
    expect(box && box.width > 100, `the ${metric} chart draws its lines`).toBe(true);
  }
  await report.close();

  const downloads: Download[] = [];
  page.on('download', (d) => downloads.push(d));
  await page.getByTestId('report-export-md').click();
  await expect.poll(() => downloads.length).toBe(5);
  const names = downloads.map((d) => d.suggestedFilename()).sort();
  expect(names).toEqual(['accuracy.png', 'loss.png', 'report.md', 'val_accuracy.png', 'val_loss.png']);
  for (const d of downloads) {
    const bytes = readFileSync((await d.path())!);
    if (d.suggestedFilename() === 'report.md') {
      const md = bytes.toString('utf8');
      expect(md).toContain('| dropout ★ |');
      expect(md).toContain('](charts/val_accuracy.png)');
    } else {
      // A real PNG with the chart's pixels, not an empty canvas.
      expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(bytes.length).toBeGreaterThan(5_000);
    }
  }
});
