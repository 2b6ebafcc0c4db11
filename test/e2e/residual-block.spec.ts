/**
 * The palette's Residual block, by keyboard only: a layer picked in the graph, the block's form opened, its
 * filters and strides set (the identity shortcut then refused with the reason), the block inserted as one
 * undoable edit, grouped in the list with each layer's inputs, drawn in the Graph tab as a branch into the
 * Add; a second block after it; a block removed and what followed reconnected. Light and dark screenshots.
 * Nothing here trains, so the suite server's run count is untouched.
 */
import { expect, test, type Page } from '@playwright/test';
import { openApp, openSpecFile, shot } from './support/helpers.js';

test.describe.configure({ mode: 'serial' });

const CHAIN = {
  model: {
    name: 'two-blocks',
    inputShape: [28, 28, 1],
    layers: [
      { type: 'Conv2D', filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', name: 'stem' },
      { type: 'Conv2D', filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' },
      { type: 'GlobalAveragePooling2D' },
      { type: 'Dense', units: 10, activation: 'softmax' },
    ],
  },
};

let page: Page;
const rows = () => page.getByTestId('layer-list').locator('> li[data-testid^="layer-"]');

async function setTheme(theme: 'light' | 'dark'): Promise<void> {
  const toggle = page.getByTestId('theme-toggle');
  for (let i = 0; i < 3 && (await toggle.getAttribute('data-theme-choice')) !== theme; i++) await toggle.click();
  await expect(toggle).toHaveAttribute('data-theme-choice', theme);
}

/** No layer shows an error and the summary says the model can be trained. */
async function expectNoProblems(): Promise<void> {
  await expect(page.getByTestId('model-status')).toContainText('Ready to train');
  await expect(page.getByTestId('layer-list').locator('[data-testid$="-error"]')).toHaveCount(0);
}

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.emulateMedia({ colorScheme: 'light' });
  await openApp(page);
  await openSpecFile(page, CHAIN, 'two-blocks.json');
});

test.afterAll(async () => {
  await page.close();
});

test('a projection block inserted by keyboard after the picked layer: one edit, grouped, shapes and params right', async () => {
  // Pick the stem in the graph with Enter: it is selected and focused in the list.
  await page.getByTestId('layers-view-graph').click();
  await page.getByTestId('graph-node-0').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('layer-0')).toHaveAttribute('aria-current', 'true');

  await page.getByTestId('palette-residual-block').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('block-where')).toHaveText('Inserts after layer 1 (stem)');
  // Defaults: the stem's 8 channels and strides 1, so the identity shortcut fits and is chosen.
  await expect(page.getByTestId('block-filters')).toBeFocused();
  await expect(page.getByTestId('block-filters')).toHaveValue('8');
  await expect(page.getByTestId('block-shortcut-identity')).toBeChecked();

  await page.keyboard.type('0');
  await expect(page.getByTestId('block-filters-problem')).toHaveText('a whole number from 1 to 4096');
  await expect(page.getByTestId('block-insert')).toBeDisabled();
  await page.keyboard.press('Control+a');
  await page.keyboard.type('16');
  await expect(page.getByTestId('block-filters-problem')).toHaveCount(0);
  await expect(page.getByTestId('block-shortcut-identity')).toBeDisabled();
  await expect(page.getByTestId('block-shortcut-projection')).toBeChecked();
  await expect(page.getByTestId('block-identity-reason')).toContainText("keeps the input's 8 channels, but the block has 16 filters");
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('block-strides-1')).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('block-strides-2')).toBeChecked();
  await expect(page.getByTestId('block-identity-reason')).toContainText('strides 2');
  await shot(page, 'residual-block-form');
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('block-shortcut-projection')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('block-insert')).toBeFocused();
  await page.keyboard.press('Enter');

  // conv1 bn1 relu1 conv2 bn2 proj proj_bn add out: nine layers after the stem, the first one focused.
  await expect(rows()).toHaveCount(13);
  await expect(page.getByTestId('layer-1-handle')).toBeFocused();
  await expect(page.getByTestId('block-res1')).toContainText('Residual block res1');
  await expect(page.getByTestId('layer-1')).toHaveAttribute('aria-label', 'Layer 2: res1_conv1');
  await expect(page.getByTestId('layer-1-reads')).toHaveText('input: stem');
  await expect(page.getByTestId('layer-6-reads')).toHaveText('input: stem');
  await expect(page.getByTestId('layer-8-reads')).toHaveText('inputs: res1_bn2 + res1_proj_bn');
  await expect(page.getByTestId('layer-9-shape')).toHaveText('14 × 14 × 16');
  // The Conv2D that read the stem now reads the block: 3·3·16·8 + 8 parameters.
  await expect(page.getByTestId('layer-10-reads')).toHaveText('input: res1_out');
  await expect(page.getByTestId('layer-10-shape')).toHaveText('14 × 14 × 8');
  await expect(page.getByTestId('layer-10-params')).toHaveText('1,160 params');
  // stem 80 + conv1 1,152 + conv2 2,304 + proj 128 + three BatchNormalizations 3·64 + 1,160 + Dense 90.
  await expect(page.getByTestId('total-params')).toHaveText('5,106');
  await expectNoProblems();
  await expect(page.getByTestId('keras-summary')).toContainText(
    /res1_add \(Add\) +\(None, 14, 14, 16\) +0 +res1_bn2\[0\]\[0\]\s+res1_proj_bn\[0\]\[0\]/,
  );

  // The Graph tab draws the branch: the Add reads the main path's bn2 and the projection's BatchNormalization.
  await page.getByTestId('layers-view-graph').click();
  const into = page.locator('path.edge[data-to="8"]');
  await expect(into).toHaveCount(2);
  expect((await into.evaluateAll((edges) => edges.map((e) => e.getAttribute('data-from')))).sort()).toEqual(['5', '7']);
  await expect(page.locator('path.edge[data-from="0"]')).toHaveCount(2);
  await page.getByTestId('layers-view-list').click();

  // One Ctrl+Z takes the whole block back out.
  await page.getByTestId('layer-0-handle').focus();
  await page.keyboard.press('Control+z');
  await expect(rows()).toHaveCount(4);
  await expect(page.getByTestId('block-res1')).toHaveCount(0);
  await expect(page.getByTestId('layer-1-reads')).toHaveCount(0);
  await expectNoProblems();
});

test('two blocks in a row, shown in the list and the graph, light and dark', async () => {
  await page.getByTestId('layers-view-graph').click();
  await page.getByTestId('graph-node-0').focus();
  await page.keyboard.press('Enter');
  for (const [filters, strides] of [
    ['16', 2],
    ['', 1],
  ] as const) {
    await page.getByTestId('palette-residual-block').focus();
    await page.keyboard.press('Enter');
    if (filters) await page.keyboard.type(filters);
    await page.keyboard.press('Tab');
    if (strides === 2) await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
  }
  // The second block follows the first (its last layer was picked) with an identity shortcut on res1_out.
  await expect(rows()).toHaveCount(4 + 9 + 7);
  await expect(page.getByTestId('block-res2')).toBeVisible();
  await expect(page.getByTestId('layer-10')).toHaveAttribute('aria-label', 'Layer 11: res2_conv1');
  await expect(page.getByTestId('layer-15-reads')).toHaveText('inputs: res2_bn2 + res1_out');
  await expect(page.getByTestId('layer-16-shape')).toHaveText('14 × 14 × 16');
  await expectNoProblems();

  for (const theme of ['light', 'dark'] as const) {
    await setTheme(theme);
    await page.getByTestId('layers-view-list').click();
    await page.getByTestId('block-res1').scrollIntoViewIfNeeded();
    await shot(page, `residual-blocks-list-${theme}`);
    // A taller window, so the whole graph fits at a size where its boxes can be read.
    await page.setViewportSize({ width: 1400, height: 1500 });
    await page.getByTestId('layers-view-graph').click();
    await expect(page.locator('path.edge[data-to="15"]')).toHaveCount(2);
    await page.getByTestId('graph-zoom-fit').click();
    await shot(page, `residual-blocks-graph-${theme}`);
    await page.setViewportSize({ width: 1400, height: 900 });
  }
  await setTheme('light');
  await page.getByTestId('layers-view-list').click();
});

test('Remove block takes all its layers as one edit and reconnects what read it', async () => {
  await page.getByTestId('block-res2-remove').focus();
  await page.keyboard.press('Enter');
  await expect(rows()).toHaveCount(4 + 9);
  await expect(page.getByTestId('block-res2')).toHaveCount(0);
  await expect(page.getByTestId('layer-10-handle')).toBeFocused();
  await expect(page.getByTestId('layer-10-reads')).toHaveText('input: res1_out');
  await expectNoProblems();
  await page.keyboard.press('Control+z');
  await expect(rows()).toHaveCount(4 + 9 + 7);

  // Without res1, res2 reads the stem in its first Conv2D and its Add; its identity shortcut no longer fits.
  await page.getByTestId('block-res1-remove').focus();
  await page.keyboard.press('Enter');
  await expect(rows()).toHaveCount(4 + 7);
  await expect(page.getByTestId('block-res1')).toHaveCount(0);
  await expect(page.getByTestId('layer-1-handle')).toBeFocused();
  await expect(page.getByTestId('layer-1-reads')).toHaveText('input: stem');
  await expect(page.getByTestId('layer-6-reads')).toHaveText('inputs: res2_bn2 + stem');
  await expect(page.getByTestId('layer-6-error')).toContainText('res2_bn2 (28x28x16) and stem (28x28x8) differ in channels');
  await page.keyboard.press('Control+z');
  await expect(rows()).toHaveCount(4 + 9 + 7);
  await expect(page.getByTestId('block-res1')).toBeVisible();
  await expectNoProblems();
});
