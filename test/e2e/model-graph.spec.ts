/**
 * The model view's Graph tab: the preset's layers drawn as boxes with their output shapes, redrawn as layers
 * are edited, a layer's error on its box, a box picked by keyboard shown in the layer list, a long model
 * scrolled and zoomed to fit, in light and dark themes. Nothing here trains.
 */
import { expect, test, type Page } from '@playwright/test';
import { openApp, openSpecFile, setNumber, shot } from './support/helpers.js';

test.describe.configure({ mode: 'serial' });

let page: Page;

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  await page.emulateMedia({ colorScheme: 'light' });
  await openApp(page);
  await page.getByRole('tab', { name: 'Model' }).click();
  await page.getByTestId('preset-seed-baseline').click();
});

test.afterAll(async () => {
  await page.close();
});

const rows = () => page.getByTestId('layer-list').locator('> li[data-testid^="layer-"]');
const nodes = () => page.getByTestId('model-graph').locator('g[data-testid^="graph-node-"][role="button"]');

/** Picks light or dark with the theme toggle (System, Light, Dark in turn). */
async function setTheme(theme: 'light' | 'dark'): Promise<void> {
  const toggle = page.getByTestId('theme-toggle');
  for (let i = 0; i < 3 && (await toggle.getAttribute('data-theme-choice')) !== theme; i++) await toggle.click();
  await expect(toggle).toHaveAttribute('data-theme-choice', theme);
}

test("the Graph tab draws the input and one box per layer with the list's shapes and parameters", async () => {
  const count = await rows().count();
  const shapes = await Promise.all([...Array(count).keys()].map((i) => page.getByTestId(`layer-${i}-shape`).innerText()));
  const params = await Promise.all([...Array(count).keys()].map((i) => page.getByTestId(`layer-${i}-params`).innerText()));
  expect(shapes[0].trim()).toBe('28 × 28 × 32');

  await page.getByTestId('layers-view-graph').click();
  await expect(page.getByTestId('layer-list')).toHaveCount(0);
  await expect(nodes()).toHaveCount(count);
  await expect(page.getByTestId('graph-node-input-shape')).toHaveText('28 × 28 × 1');
  for (let i = 0; i < count; i++) {
    await expect(page.getByTestId(`graph-node-${i}-shape`)).toHaveText(shapes[i].trim());
    await expect(page.getByTestId(`graph-node-${i}-params`)).toHaveText(params[i].trim());
  }
  await expect(page.getByTestId('graph-node-0')).toHaveAttribute(
    'aria-label',
    /^Layer 1: conv2d, Conv2D, output 28 × 28 × 32, 320 parameters$/,
  );
  // One arrow into every layer, from the layer before it (a preset is a chain).
  for (let i = 0; i < count; i++) await expect(page.locator(`path.edge[data-to="${i}"]`)).toHaveAttribute('data-from', String(i - 1));
  // Boxes come one under the other, in the order the layers run.
  const tops = await Promise.all(
    [...Array(count).keys()].map(async (i) => (await page.getByTestId(`graph-node-${i}`).boundingBox())?.y ?? NaN),
  );
  for (let i = 1; i < count; i++) expect(tops[i]).toBeGreaterThan(tops[i - 1]);
});

test('the graph follows edits: a layer added from the palette, undone, and a field changed in the list', async () => {
  const count = await nodes().count();
  await page.getByTestId('palette-Dropout').click();
  await expect(nodes()).toHaveCount(count + 1);
  await expect(page.getByTestId(`graph-node-${count}`)).toHaveAttribute('data-type', 'Dropout');
  await page.keyboard.press('Control+z');
  await expect(nodes()).toHaveCount(count);

  await page.getByTestId('layers-view-list').click();
  await setNumber(page, 'layer-0-filters', 16);
  await page.getByTestId('layers-view-graph').click();
  await expect(page.getByTestId('graph-node-0-shape')).toHaveText('28 × 28 × 16');
  await expect(page.getByTestId('graph-node-0-params')).toHaveText('160 params');
  await expect(page.getByTestId('graph-node-1-params')).toHaveText('4,640 params');
});

test("a layer's error is drawn on its box in the theme's error colour, in light and dark", async () => {
  await page.getByTestId('layers-view-list').click();
  await page.getByTestId('layer-3-kernelSize').first().fill('15');
  await page.getByTestId('layer-3-kernelSize').first().press('Tab');
  await expect(page.getByTestId('layer-3-error')).toBeVisible();
  await page.getByTestId('layers-view-graph').click();
  const box = page.getByTestId('graph-node-3');
  await expect(box).toHaveClass(/error/);
  await expect(page.getByTestId('graph-node-3-error').first()).toContainText('15x15 kernel');
  await expect(box).toHaveAttribute('aria-label', /error: .*15x15 kernel/);
  for (const theme of ['light', 'dark'] as const) {
    await setTheme(theme);
    const danger = await page.evaluate(() => getComputedStyle(document.body).getPropertyValue('--danger').trim());
    const expected = await page.evaluate((c) => {
      const probe = document.createElement('span');
      probe.style.color = c;
      document.body.append(probe);
      const rgb = getComputedStyle(probe).color;
      probe.remove();
      return rgb;
    }, danger);
    const drawn = await page
      .getByTestId('graph-node-3-error')
      .first()
      .evaluate((el) => getComputedStyle(el).fill);
    expect(drawn, `the error text's colour in the ${theme} theme`).toBe(expected);
    await shot(page, `model-graph-error-${theme}`);
  }
  await setTheme('light');
  await page.keyboard.press('Control+z');
  await expect(box).not.toHaveClass(/error/);
});

test('boxes are reached with Tab and the arrow keys, and one picked with Enter is selected and focused in the layer list', async () => {
  await page.getByTestId('graph-zoom-fit').focus();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('graph-node-0')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('graph-node-1')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('graph-node-2')).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(page.getByTestId('graph-node-1')).toBeFocused();
  await shot(page, 'model-graph-keyboard-focus');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('layer-list')).toBeVisible();
  await expect(page.getByTestId('layer-1-handle')).toBeFocused();
  await expect(page.getByTestId('layer-1')).toHaveClass(/selected/);
  await expect(page.getByTestId('layer-0')).not.toHaveClass(/selected/);
  // Back in the graph, the picked layer's box is marked.
  await page.getByTestId('layers-view-graph').click();
  await expect(page.getByTestId('graph-node-1')).toHaveClass(/selected/);
});

test('a 70-layer model scrolls in the graph and zooms out to fit', async () => {
  const layers: unknown[] = [{ type: 'Conv2D', filters: 16, kernelSize: 3, padding: 'same' }];
  for (let i = 0; i < 22; i++)
    layers.push(
      { type: 'Conv2D', filters: 16, kernelSize: 3, padding: 'same' },
      { type: 'BatchNormalization' },
      { type: 'Activation', activation: 'relu' },
    );
  layers.push({ type: 'GlobalAveragePooling2D' }, { type: 'Dropout', rate: 0.2 }, { type: 'Dense', units: 10, activation: 'softmax' });
  const training = { optimizer: 'adam', learningRate: 0.001, batchSize: 32, epochs: 1, validationSplit: 0.2, seed: 1 };
  const spec = { model: { name: 'deep-chain', inputShape: [28, 28, 1], layers }, training };
  await page.getByTestId('layers-view-list').click();
  await openSpecFile(page, spec, 'deep-chain.json');
  await page.getByTestId('layers-view-graph').click();
  await expect(nodes()).toHaveCount(layers.length);
  const viewport = page.getByTestId('model-graph');
  const sizes = () => viewport.evaluate((el) => ({ scroll: el.scrollHeight, client: el.clientHeight }));
  const before = await sizes();
  expect(before.scroll).toBeGreaterThan(before.client);
  for (const theme of ['light', 'dark'] as const) {
    await setTheme(theme);
    await page.getByTestId('graph-zoom-reset').click();
    await shot(page, `model-graph-deep-${theme}`);
  }
  await page.getByTestId('graph-zoom-fit').click();
  await expect(page.getByTestId('graph-zoom-reset')).not.toHaveText('100%');
  await expect.poll(async () => (await sizes()).scroll).toBeLessThanOrEqual(before.client + 1);
  // The last layer's box is still there, now in view without scrolling.
  await expect(page.getByTestId(`graph-node-${layers.length - 1}`)).toBeInViewport();
  await shot(page, 'model-graph-deep-fit-dark');
  await setTheme('light');
});
