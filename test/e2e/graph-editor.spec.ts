/**
 * A graph spec in the editor: a residual block opened from a spec file shows each layer's inputs in the
 * Keras summary's "Connected to" column and an Inputs field on the merge; a wrong input name is the merge's
 * error, naming the name; a Concatenate added from the palette asks for its inputs until given them.
 * Nothing here trains, so the suite server's run count is untouched.
 */
import { expect, test, type Page } from '@playwright/test';
import { openApp, openSpecFile, shot } from './support/helpers.js';

test.describe.configure({ mode: 'serial' });

const RESIDUAL = {
  model: {
    name: 'residual-block',
    inputShape: [28, 28, 1],
    layers: [
      { type: 'Conv2D', filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', name: 'stem' },
      { type: 'Conv2D', filters: 8, kernelSize: 3, padding: 'same', useBias: false, name: 'conv_a' },
      { type: 'BatchNormalization', name: 'bn_a' },
      { type: 'Activation', activation: 'relu', name: 'relu_a' },
      { type: 'Conv2D', filters: 8, kernelSize: 3, padding: 'same', name: 'conv_b' },
      { type: 'Add', inputs: ['conv_b', 'stem'], name: 'residual' },
      { type: 'GlobalAveragePooling2D' },
      { type: 'Dense', units: 10, activation: 'softmax' },
    ],
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

test('a residual block shows its connections, and a wrong input name is the error of the layer reading it', async () => {
  await openSpecFile(page, RESIDUAL, 'residual.json');
  const add = page.getByTestId('layer-5');
  await expect(add).toHaveAttribute('data-type', 'Add');
  await expect(page.getByTestId('layer-5-inputs')).toHaveValue('conv_b, stem');
  await expect(page.getByTestId('layer-5-error')).toHaveCount(0);
  await page.locator('details.keras > summary').click();
  const summary = page.getByTestId('keras-summary');
  await expect(summary).toContainText('Connected to');
  await expect(summary).toContainText(/residual \(Add\) +\(None, 28, 28, 8\) +0 +conv_b\[0\]\[0\]\s+stem\[0\]\[0\]/);
  await add.scrollIntoViewIfNeeded();
  await shot(page, 'graph-residual-block');

  // The Graph tab draws the branch: two arrows into the Add, from conv_b and from the stem.
  await page.getByTestId('layers-view-graph').click();
  const into = page.locator('path.edge[data-to="5"]');
  await expect(into).toHaveCount(2);
  expect((await into.evaluateAll((edges) => edges.map((e) => e.getAttribute('data-from')))).sort()).toEqual(['0', '4']);
  await expect(page.locator('path.edge[data-to="1"]')).toHaveAttribute('data-from', '0');
  await shot(page, 'graph-residual-block-drawn');
  await page.getByTestId('layers-view-list').click();

  await page.getByTestId('layer-5-inputs').fill('conv_c, stem');
  await page.getByTestId('layer-5-inputs').press('Tab');
  await expect(page.getByTestId('layer-5-error')).toContainText('input "conv_c" is not the name of any layer');
  await shot(page, 'graph-wrong-input');
  await page.getByTestId('layer-5-inputs').fill('conv_b, stem');
  await page.getByTestId('layer-5-inputs').press('Tab');
  await expect(page.getByTestId('layer-5-error')).toHaveCount(0);
});

test('a Concatenate from the palette asks for its inputs, then joins the channels', async () => {
  await page.getByTestId('palette-Concatenate').click();
  const last = RESIDUAL.model.layers.length;
  await expect(page.getByTestId(`layer-${last}`)).toHaveAttribute('data-type', 'Concatenate');
  await expect(page.getByTestId(`layer-${last}-error`)).toContainText('inputs');
  // Up above GlobalAveragePooling2D and Dense, which then read it: it joins the block's output and relu_a's.
  await page.getByTestId(`layer-${last}`).getByRole('button', { name: 'Move up' }).click();
  await page
    .getByTestId(`layer-${last - 1}`)
    .getByRole('button', { name: 'Move up' })
    .click();
  const cat = last - 2;
  await expect(page.getByTestId(`layer-${cat}`)).toHaveAttribute('data-type', 'Concatenate');
  await page.getByTestId(`layer-${cat}-inputs`).fill('residual, relu_a');
  await page.getByTestId(`layer-${cat}-inputs`).press('Tab');
  await expect(page.getByTestId(`layer-${cat}-error`)).toHaveCount(0);
  await expect(page.getByTestId('keras-summary')).toContainText(/concatenate \(Concatenate\) +\(None, 28, 28, 16\) +0 +residual\[0\]\[0\]/);
  await page.getByTestId(`layer-${cat}`).scrollIntoViewIfNeeded();
  await shot(page, 'graph-concatenate');
});
