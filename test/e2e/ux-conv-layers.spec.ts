/**
 * DepthwiseConv2D, SeparableConv2D and Conv2D's dilation in the editor, as a person meets them: in the
 * palette's Convolution group, their fields drawn from their descriptors, the shapes and parameters
 * Keras's model.summary() shows (the numbers below are Keras's), and Keras's refusal of strides with a
 * dilation in words. It trains nothing, so the suite's run counts are untouched.
 */
import { expect, test, type Page } from '@playwright/test';
import { openApp, openSpecFile, setNumber, shot, SCREENSHOTS } from './support/helpers.js';
import path from 'node:path';

test.describe.configure({ mode: 'serial' });

const SPEC = {
  model: {
    name: 'separable-cnn',
    inputShape: [28, 28, 1],
    layers: [
      { type: 'Conv2D', filters: 8, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'relu' },
      { type: 'DepthwiseConv2D', kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 2, activation: 'relu' },
      { type: 'SeparableConv2D', filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' },
      { type: 'GlobalAveragePooling2D' },
      { type: 'Dense', units: 10, activation: 'softmax' },
    ],
  },
  training: {
    optimizer: 'adam',
    learningRate: 0.002,
    momentum: 0,
    loss: 'categoricalCrossentropy',
    batchSize: 64,
    epochs: 1,
    validationSplit: 0.2,
    seed: 7,
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

test('the palette offers both new layers under Convolution', async () => {
  await page.getByRole('tab', { name: 'Model' }).click();
  for (const type of ['DepthwiseConv2D', 'SeparableConv2D']) await expect(page.getByTestId(`palette-${type}`)).toBeVisible();
  const group = page.getByTestId('palette-Conv2D').locator('xpath=ancestor::*[.//*[normalize-space()="Convolution"]][1]');
  await expect(group.getByTestId('palette-SeparableConv2D')).toBeVisible();
});

test('their rows show their fields, and the shapes and parameters Keras shows', async () => {
  await openSpecFile(page, SPEC, 'separable-cnn.json');
  // Keras 3's model.summary() for this model: 80, 160, 416, 0, 170 parameters.
  const expected = [
    ['28 × 28 × 8', '80 params'],
    ['14 × 14 × 16', '160 params'],
    ['14 × 14 × 16', '416 params'],
  ];
  for (const [i, [shape, params]] of expected.entries()) {
    await expect(page.getByTestId(`layer-${i}-shape`)).toHaveText(shape);
    await expect(page.getByTestId(`layer-${i}-params`)).toHaveText(params);
  }
  await expect(page.getByTestId('layer-0-dilationRate')).toHaveValue('2');
  await expect(page.getByTestId('layer-1-depthMultiplier')).toHaveValue('2');
  await expect(page.getByTestId('layer-2-depthMultiplier')).toHaveValue('');
  await expect(page.getByTestId('layer-2-filters')).toHaveValue('16');
  await expect(page.getByTestId('start')).toBeEnabled();
  await shot(page, 'conv-layers-editor');
  for (const i of [0, 1, 2]) await page.getByTestId(`layer-${i}`).screenshot({ path: path.join(SCREENSHOTS, `conv-layers-row-${i}.png`) });
});

test('a depth multiplier changes the shape and parameters as Keras computes them', async () => {
  await setNumber(page, 'layer-2-depthMultiplier', 3);
  // 3*3*16*3 depthwise + 48*16 pointwise + 16 bias, as Keras counts them.
  await expect(page.getByTestId('layer-2-params')).toHaveText('1,216 params');
  await expect(page.getByTestId('layer-2-shape')).toHaveText('14 × 14 × 16');
});

test('strides with a dilation are refused in words, as Keras refuses them', async () => {
  await setNumber(page, 'layer-0-strides', 2);
  await expect(page.getByTestId('layer-0-error')).toContainText('Conv2D cannot combine strides above 1 with a dilation rate above 1');
  await expect(page.getByTestId('start')).toBeDisabled();
  await page.getByTestId('layer-0').screenshot({ path: path.join(SCREENSHOTS, 'conv-layers-row-0-error.png') });
  await setNumber(page, 'layer-0-strides', 1);
  await expect(page.getByTestId('layer-0-error')).toHaveCount(0);
});

test('the graph view draws the new layers as convolutions', async () => {
  await page.getByRole('tab', { name: 'Graph' }).click();
  const graph = page.getByTestId('model-graph');
  // Drawn in the convolution family's colour, as Conv2D is: the colour follows the palette group.
  for (const i of [0, 1, 2]) await expect(graph.getByTestId(`graph-node-${i}`)).toHaveAttribute('data-family', 'conv');
  await expect(graph.getByTestId('graph-node-2')).toHaveAttribute('data-type', 'SeparableConv2D');
  await shot(page, 'conv-layers-graph');
  await page.getByRole('tab', { name: 'List' }).click();
});
