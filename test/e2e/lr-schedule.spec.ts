/**
 * A learning-rate schedule chosen in the training settings with the keyboard: a bad parameter is named in
 * plain words, a good one trains, and the Train view charts and logs the rate of each epoch.
 */
import { expect, test } from '@playwright/test';
import { openApp, openSpecFile, setNumber, shot } from './support/helpers.js';

const SPEC = {
  model: {
    name: 'lr-cnn',
    inputShape: [28, 28, 1],
    layers: [
      { type: 'Conv2D', filters: 4, kernelSize: 3, strides: 2, activation: 'relu' },
      { type: 'Flatten' },
      { type: 'Dense', units: 10, activation: 'softmax' },
    ],
  },
  training: { optimizer: 'sgd', learningRate: 0.05, momentum: 0, batchSize: 100, epochs: 3, validationSplit: 0.2, seed: 3 },
};

test('picks step decay with the keyboard, names a bad decay rate, and charts the rate per epoch', async ({ page }) => {
  await openApp(page);
  await openSpecFile(page, SPEC, 'lr-cnn.json');
  await page.getByRole('tab', { name: 'Train' }).click();
  const select = page.getByTestId('set-lr-schedule');
  await select.focus();
  await select.selectOption({ label: 'Step decay' });
  await setNumber(page, 'set-lr-decay-rate', 1.5);
  await expect(page.getByTestId('lr-schedule-error')).toHaveText('decayRate is 1.5; allowed: at most 1');
  await expect(page.getByTestId('start')).toBeDisabled();
  await expect(page.getByTestId('start')).toHaveAttribute(
    'title',
    'Training settings: learningRateSchedule.decayRate is 1.5; allowed: at most 1',
  );
  await shot(page, 'lr-schedule-error');
  // 8000 training images in batches of 100: halve the rate every epoch.
  await setNumber(page, 'set-lr-decay-rate', 0.5);
  await setNumber(page, 'set-lr-decay-steps', 80);
  await expect(page.getByTestId('lr-schedule-error')).toHaveCount(0);
  await page.getByTestId('start').click();
  await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 120_000 });
  const log = await page.getByTestId('training-log').textContent();
  expect(log).toMatch(/val_accuracy: \d\.\d{4} - learning_rate: 0\.0500/);
  expect(log).toMatch(/val_accuracy: \d\.\d{4} - learning_rate: 0\.0125/);
  await expect(page.getByTestId('chart-lr')).toHaveAttribute('data-points', '3');
  await shot(page, 'lr-schedule-trained');
});
