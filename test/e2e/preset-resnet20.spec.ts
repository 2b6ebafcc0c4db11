/**
 * The resnet20 preset in the app: picked from the Model view, adapted to the bundled MNIST digits (one
 * channel: Keras's 274,042 for CIFAR-10 less 288 stem weights), drawn as a graph, and bringing its own
 * training settings (SGD, batch 128, shifts without flips for digits, ReduceLROnPlateau), which the seed
 * presets put back. Nothing here trains.
 */
import { expect, test } from '@playwright/test';
import { openApp, shot } from './support/helpers.js';

test('picking resnet20 builds the graph and sets its training; a seed preset puts Adam back', async ({ page }) => {
  await openApp(page);
  await page.getByRole('tab', { name: 'Model' }).click();
  await page.getByTestId('preset-resnet20').click();
  await expect(page.getByTestId('preset-resnet20')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('total-params')).toHaveText('273,754');
  await expect(page.getByTestId('model-status')).toContainText('Ready to train');
  await shot(page, 'preset-resnet20-list');
  await page.getByTestId('layers-view-graph').click();
  await expect(page.getByTestId('graph-node-input-shape')).toHaveText('28 × 28 × 1');
  await shot(page, 'preset-resnet20-graph');

  await page.getByRole('tab', { name: 'Train' }).click();
  await expect(page.getByTestId('set-optimizer')).toHaveValue('sgd');
  await expect(page.getByTestId('set-lr')).toHaveValue('0.1');
  await expect(page.getByTestId('set-momentum')).toHaveValue('0.9');
  await expect(page.getByTestId('set-batch')).toHaveValue('128');
  await expect(page.getByTestId('set-shift')).toHaveValue('4');
  await expect(page.getByTestId('set-flip')).not.toBeChecked();
  await expect(page.getByTestId('set-lr-schedule')).toHaveValue('plateau');
  await shot(page, 'preset-resnet20-training');

  await page.getByRole('tab', { name: 'Model' }).click();
  await page.getByTestId('preset-seed-batchnorm').click();
  await page.getByRole('tab', { name: 'Train' }).click();
  await expect(page.getByTestId('set-optimizer')).toHaveValue('adam');
  await expect(page.getByTestId('set-batch')).toHaveValue('32');
  await expect(page.getByTestId('set-shift')).toHaveValue('0');
});
