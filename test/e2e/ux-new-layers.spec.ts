/**
 * The layer types, activations and initializers added after the first nine, as a person meets them in the
 * editor: each from the palette with its fields from its descriptor, shapes and parameters as Keras counts
 * them, and a model of all of them trained to the end. The file name sorts after lab.spec.ts, which counts
 * the suite server's runs, so the run made here comes later.
 */
import { expect, test, type Page } from '@playwright/test';
import { openApp, openSpecFile, setNumber, shot } from './support/helpers.js';

test.describe.configure({ mode: 'serial' });

const MODEL = {
  model: {
    name: 'new-layers',
    inputShape: [28, 28, 1],
    layers: [
      { type: 'ZeroPadding2D', padding: 1 },
      { type: 'Conv2D', filters: 4, kernelSize: 3, strides: 2, activation: 'gelu', kernelInitializer: 'he_normal' },
      { type: 'LayerNormalization' },
      { type: 'LeakyReLU' },
      { type: 'GlobalMaxPooling2D' },
      { type: 'Dense', units: 10, activation: 'softmax' },
    ],
  },
  training: {
    optimizer: 'adam',
    learningRate: 0.01,
    momentum: 0,
    loss: 'categoricalCrossentropy',
    batchSize: 128,
    epochs: 1,
    validationSplit: 0.2,
    seed: 3,
    augmentation: { horizontalFlip: false, shiftPixels: 0 },
  },
};

let page: Page;

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  await openApp(page);
});

test.afterAll(async () => {
  await page.close();
});

test('the new layer types sit in the palette and show their fields, shapes and parameters', async () => {
  await openSpecFile(page, MODEL, 'new-layers.json');
  for (const t of ['ZeroPadding2D', 'GlobalMaxPooling2D', 'LayerNormalization', 'LeakyReLU']) {
    await expect(page.getByTestId(`palette-${t}`)).toBeVisible();
  }
  await expect(page.locator('[data-testid$="-error"]')).toHaveCount(0);
  // 28x28 padded by one on every side: 30x30; the strided 3x3 conv: 14x14x4.
  await expect(page.getByTestId('layer-0-shape')).toContainText('30');
  await expect(page.getByTestId('layer-1-shape')).toContainText('14');
  await expect(page.getByTestId('layer-1-kernelInitializer')).toHaveValue('he_normal');
  await expect(page.getByTestId('layer-1-activation')).toHaveValue('gelu');
  // LayerNormalization: gamma and beta per channel.
  await expect(page.getByTestId('layer-2-params')).toContainText('8');

  // Asymmetric padding, as Keras takes it: two rows on top, none at the bottom.
  await setNumber(page, 'layer-0-padding-top', 2);
  await setNumber(page, 'layer-0-padding-bottom', 0);
  await expect(page.getByTestId('layer-0-shape')).toContainText('30');
  await setNumber(page, 'layer-0-padding-left', 3);
  await expect(page.getByTestId('layer-0-shape')).toContainText('32');
  await expect(page.locator('[data-testid$="-error"]')).toHaveCount(0);

  // Switching LayerNormalization's scale off halves its parameters.
  await page.getByTestId('layer-2-scale').uncheck();
  await expect(page.getByTestId('layer-2-params')).toContainText('4');
  await setNumber(page, 'layer-3-negativeSlope', 0.1);
  await page.getByTestId('layer-5-activation').selectOption('softmax');
  await shot(page, 'editor-new-layers');
});

test('a model of the new layer types trains to the end', async () => {
  await page.getByRole('tab', { name: 'Train' }).click();
  await expect(page.getByTestId('start')).toBeEnabled();
  await page.getByTestId('start').click();
  await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 120_000 });
  await expect(page.getByTestId('training-log')).toContainText('val_accuracy');
  await shot(page, 'new-layers-trained');
});
