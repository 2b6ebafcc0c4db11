/**
 * Importing a folder of images in browser mode: the path typed, a progress bar, then a summary of what was
 * found and a grid of samples with their labels; the presets adapt to the new image size.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { expect, test } from '@playwright/test';
import { openApp, setNumber, shot } from './support/helpers.js';

let root: string;

test.beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'layerbench-e2e-folder-'));
  const classes: Record<string, [number, number, number]> = { circles: [220, 60, 60], squares: [60, 160, 220], stripes: [240, 200, 40] };
  for (const [name, rgb] of Object.entries(classes)) {
    mkdirSync(path.join(root, name));
    for (let i = 0; i < 6; i++) {
      const pixels = Buffer.alloc(12 * 12 * 3);
      for (let p = 0; p < 144; p++) {
        const on = (p + i) % 3 === 0;
        pixels.set(on ? rgb : [20, 20, 20], p * 3);
      }
      await sharp(pixels, { raw: { width: 12, height: 12, channels: 3 } })
        .png()
        .toFile(path.join(root, name, `${i}.png`));
    }
  }
});

test.afterAll(() => rmSync(root, { recursive: true, force: true }));

test('imports a folder of images and shows what it found', async ({ page }) => {
  await openApp(page);
  await page.getByRole('tab', { name: 'Data' }).click();
  await expect(page.getByTestId('sample-grid').locator('img')).not.toHaveCount(0);
  await shot(page, 'data-bundled-mnist');

  await page.getByTestId('import-kind').selectOption('folder');
  await page.getByTestId('import-path').fill(root);
  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('import-progress')).toBeVisible();
  const summary = page.getByTestId('dataset-summary');
  await expect(summary).toContainText('12 × 12', { timeout: 60_000 });
  await expect(summary).toContainText('circles');
  await expect(summary).toContainText('stripes');
  await expect(page.getByTestId('sample-grid').locator('figcaption').first()).toHaveText(/circles|squares|stripes/);
  await expect(page.getByTestId('dataset-badge')).not.toContainText('MNIST');
  await shot(page, 'data-imported-folder');

  // Presets adapt: the seed CNN on 12x12x3 images with 3 classes.
  await page.getByRole('tab', { name: 'Model' }).click();
  await page.getByTestId('preset-seed-baseline').click();
  await expect(page.getByTestId('layer-0-shape')).toHaveText('12 × 12 × 32');
  const last = page.getByTestId('layer-list').locator('> li[data-testid^="layer-"]').last();
  await expect(last.locator('[data-testid$="-units"]')).toHaveValue('3');
  // 18 images leave 14 for training: the preset's batch of 32 is refused before training, with the reason.
  await expect(page.getByTestId('start')).toBeDisabled();
  await expect(page.getByTestId('start')).toHaveAttribute('title', /batch size 32 is larger than the 14 training images/);
  await page.getByRole('tab', { name: 'Train' }).click();
  await setNumber(page, 'set-batch', 8);
  await expect(page.getByTestId('start')).toBeEnabled();
  await page.getByRole('tab', { name: 'Model' }).click();
  await shot(page, 'preset-adapted-to-folder');
});
