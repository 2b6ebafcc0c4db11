/**
 * How the UI shows a run that fails: a NaN loss reported by the engine, and a training process that runs out
 * of memory. The real server cannot produce these on demand, so the page gets a scripted `window.layerbench`
 * (the same Api the Electron preload exposes) that replays those event sequences.
 */
import { expect, test } from '@playwright/test';
import { appUrl, shot } from './support/helpers.js';
import { installMockApi, type MockOptions } from './support/mock-api.js';

async function runScripted(page: import('@playwright/test').Page, options: MockOptions) {
  await page.addInitScript(installMockApi, options);
  await page.goto(appUrl());
  await expect(page.getByTestId('backend-badge')).toContainText('Fallback: cpu');
  await page.getByTestId('start').click();
  await expect(page.getByTestId('run-failure')).toBeVisible();
}

test('a NaN loss is explained, with what to do, and the finished epochs stay visible', async ({ page }) => {
  await runScripted(page, {
    failAfterEpochs: 2,
    failure: { code: 'NAN_LOSS', message: 'the loss became NaN in epoch 3, batch 4', reason: 'ended' },
  });
  await expect(page.getByTestId('run-status')).toHaveText('Failed');
  await expect(page.getByTestId('run-failure')).toContainText('NAN_LOSS');
  await expect(page.getByTestId('run-failure')).toContainText('Lower the learning rate');
  await expect(page.getByTestId('run-failure')).toContainText('2 completed epochs are kept');
  await expect(page.getByTestId('chart-loss')).toHaveAttribute('data-points', '4');
  await expect(page.getByTestId('training-log')).toContainText('Error: the loss became NaN');
  await expect(page.getByTestId('backend-warning')).toContainText('Native TensorFlow is not available');
  await shot(page, 'failure-nan');
});

test('a training process out of memory is explained and its history kept', async ({ page }) => {
  await runScripted(page, {
    failAfterEpochs: 1,
    failure: { code: 'OOM', message: 'the training process ran out of memory after epoch 1', reason: 'oom' },
  });
  await expect(page.getByTestId('run-status')).toHaveText('Failed');
  await expect(page.getByTestId('run-failure')).toContainText('Lower the batch size');
  await expect(page.getByTestId('run-failure')).toContainText('1 completed epoch is kept');
  await expect(page.getByTestId('chart-accuracy')).toHaveAttribute('data-points', '2');
  await expect(page.getByTestId('start')).toBeEnabled();
  await shot(page, 'failure-oom');
});

test('a crashed training process is explained', async ({ page }) => {
  await runScripted(page, {
    failAfterEpochs: 0,
    failure: { code: 'CRASH', message: 'the training process exited with signal SIGSEGV', reason: 'crashed' },
  });
  await expect(page.getByTestId('run-failure')).toContainText('stopped unexpectedly');
  await shot(page, 'failure-crash');
});
