/**
 * The comparison report opens offline in Chromium with its charts drawn: two run folders (as training writes
 * them) go through `layerbench report`, and the HTML file is opened straight from disk.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from '@playwright/test';
import { preset } from '../../common/presets.js';
import { REPO } from './support/serve.js';
import { shot } from './support/helpers.js';

let root: string;
const VAL = { baseline: [0.61, 0.7, 0.74], dropout: [0.58, 0.69, 0.76] };

function writeRun(name: keyof typeof VAL): string {
  const dir = path.join(root, `run-${name}`);
  mkdirSync(dir, { recursive: true });
  const experiment = preset(name === 'baseline' ? 'seed-baseline' : 'seed-dropout');
  const info = {
    version: 1,
    name,
    createdAt: '2026-12-01T10:00:00.000Z',
    experiment: { ...experiment, training: { ...experiment.training, epochs: 3 } },
    dataset: {
      id: 'cifar10:x',
      name: 'CIFAR-10',
      source: 'x',
      inputShape: [32, 32, 3],
      classNames: Array.from({ length: 10 }, (_, i) => `c${i}`),
    },
    versions: { layerbench: '0', node: process.versions.node },
    status: 'finished',
    finishedAt: '2026-12-01T10:30:00.000Z',
  };
  writeFileSync(path.join(dir, 'run.json'), JSON.stringify(info));
  const lines = VAL[name].map((v, i) =>
    JSON.stringify({
      epoch: i + 1,
      loss: 1.5 - i * 0.3,
      accuracy: 0.5 + i * 0.15,
      val_loss: 1.2 - i * 0.2,
      val_accuracy: v,
      durationMs: 450_000,
      samples: 40_000,
    }),
  );
  writeFileSync(path.join(dir, 'epochs.jsonl'), lines.join('\n') + '\n');
  return dir;
}

test.beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'layerbench-e2e-report-'));
});
test.afterAll(() => rmSync(root, { recursive: true, force: true }));

test('the HTML report opens from disk with its table and four drawn charts', async ({ page }) => {
  const runs = [writeRun('baseline'), writeRun('dropout')];
  const out = path.join(root, 'report');
  execFileSync(process.execPath, [path.join(REPO, 'main/cli/layerbench.mjs'), 'report', ...runs, '--out', out]);
  await page.goto(pathToFileURL(path.join(out, 'report.html')).href);
  await expect(page.locator('h1')).toHaveText('Runs compared');
  const best = page.locator('tr.best');
  await expect(best).toHaveCount(1);
  await expect(best.locator('td').first()).toHaveText('dropout ★');
  await expect(best.locator('td').nth(3)).toHaveText('0.7600');
  await expect(page.locator('figure[data-metric]')).toHaveCount(4);
  for (const metric of ['loss', 'accuracy', 'val_loss', 'val_accuracy']) {
    const lines = page.locator(`figure[data-metric="${metric}"] path.series`);
    await expect(lines).toHaveCount(2);
    // Drawn: each line has a real extent on screen, not an empty path.
    const box = await lines.first().boundingBox();
    expect(box && box.width > 100).toBe(true);
  }
  await shot(page, 'series-report-html');
});
