/**
 * The editor's errors and edits, Stop, and which run the Runs view's buttons act on, as a person meets them
 * in the browser against the real `layerbench serve`. Serial: the Runs steps use the runs trained before.
 * The file name sorts after lab.spec.ts, which counts the suite server's runs, so the runs made here come later.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { openApp, openSpecFile, setNumber, shot } from './support/helpers.js';

test.describe.configure({ mode: 'serial' });

const TINY = {
  model: {
    name: 'tiny-cnn',
    inputShape: [28, 28, 1],
    layers: [
      { type: 'Conv2D', filters: 8, kernelSize: 3, strides: 2, activation: 'relu' },
      { type: 'Flatten' },
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

const layerRows = () => page.getByTestId('layer-list').locator('> li[data-testid^="layer-"]');

test('an Activation added after Dense(softmax) and Dropout is the layer blamed, and Ctrl+Z undoes a removal', async () => {
  await page.getByTestId('preset-seed-baseline').click();
  const n = await layerRows().count();
  await expect(page.getByTestId(`layer-${n - 1}`)).toHaveAttribute('data-type', 'Dense');
  await page.getByTestId('palette-Dropout').click();
  await page.getByTestId('palette-Activation').click();
  await expect(layerRows()).toHaveCount(n + 2);
  await expect(page.getByTestId(`layer-${n + 1}-error`)).toContainText('this Activation layer applies relu');
  await expect(page.getByTestId(`layer-${n - 1}-error`)).toHaveCount(0);
  await expect(page.getByTestId(`layer-${n - 1}`)).not.toHaveClass(/error/);
  await expect(page.getByTestId('start-blocked')).toContainText(`Layer ${n + 2}`);
  await shot(page, 'editor-activation-blamed');

  await page.getByTestId(`layer-${n + 1}-activation`).selectOption('softmax');
  await expect(page.locator('[data-testid$="-error"]')).toHaveCount(0);
  // Removing a layer can be undone from the keyboard.
  await page.getByTestId(`layer-${n + 1}-remove`).click();
  await expect(layerRows()).toHaveCount(n + 1);
  await page.locator('body').press('Control+z');
  await expect(layerRows()).toHaveCount(n + 2);
  await expect(page.getByTestId(`layer-${n + 1}`)).toHaveAttribute('data-type', 'Activation');
});

test('an edited preset is marked and renamed, and the name can be set', async () => {
  await expect(page.getByTestId('preset-edited')).toContainText('edited from seed-baseline');
  await expect(page.getByTestId('model-name')).toHaveValue('seed-baseline-edited');
  await page.getByTestId('model-name').fill('my-baseline');
  await expect(page.getByTestId('model-name')).toHaveValue('my-baseline');
  // A preset over edits asks first; declining keeps the edits.
  page.once('dialog', (d) => void d.dismiss());
  await page.getByTestId('preset-seed-dropout').click();
  await expect(page.getByTestId('model-name')).toHaveValue('my-baseline');
});

test('empty, negative and fractional filters show an error with the field label, never NaN or negative counts', async () => {
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('preset-seed-baseline').click();
  await expect(page.getByTestId('model-name')).toHaveValue('seed-baseline');
  const params = page.getByTestId('layer-0-params');
  await expect(params).toHaveText('320 params');
  const noNonsense = async () => {
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).not.toMatch(/NaN|null|-\d[\d,]* params|\.5 params/);
  };
  for (const [typed, shown] of [
    ['', 'empty'],
    ['-5', '-5'],
    ['2.5', '2.5'],
  ]) {
    // Applied as typed: no Enter, no blur.
    await page.getByTestId('layer-0-filters').fill(typed);
    await expect(page.getByTestId('layer-0-error')).toHaveText(`Filters is ${shown}; enter a whole number from 1 to 4096`);
    await expect(page.getByTestId('layer-0-shape')).toHaveText('—');
    await expect(params).toHaveText('— params');
    await expect(page.getByTestId('total-params')).toHaveText('—');
    await expect(page.getByTestId('start')).toBeDisabled();
    await noNonsense();
    if (typed === '') await shot(page, 'editor-empty-filters');
  }
  await page.getByTestId('layer-0-filters').fill('16');
  await expect(page.getByTestId('layer-0-shape')).toHaveText('28 × 28 × 16');
  await expect(page.getByTestId('layer-0-error')).toHaveCount(0);

  // A kernel larger than the input is explained by the input, not by the generic cap of 31.
  await setNumber(page, 'layer-0-kernelSize', 40);
  await expect(page.getByTestId('layer-0-error')).toHaveText(
    "a 40x40 kernel is larger than this layer's 28x28 input; use a kernel of at most 28x28",
  );
  await expect(page.getByTestId('layer-list')).not.toContainText('kernelSize');
  await shot(page, 'editor-kernel-larger-than-input');
  await setNumber(page, 'layer-0-kernelSize', 3);
  await expect(page.getByTestId('layer-0-error')).toHaveCount(0);
});

test('the palette breaks long names between words, never inside one', async () => {
  const parts = await page
    .getByTestId('palette-GlobalAveragePooling2D')
    .locator('.t')
    .evaluate((el) =>
      [...el.childNodes]
        .filter((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim() !== '')
        .map((n) => {
          const range = document.createRange();
          range.selectNodeContents(n);
          return { text: n.textContent!, lines: new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size };
        }),
    );
  expect(parts.map((p) => p.text).join('')).toBe('GlobalAveragePooling2D');
  for (const p of parts) expect(p.lines, `"${p.text}" is split across lines`).toBe(1);
});

test('dropdowns list the default once', async () => {
  const padding = page.getByTestId('layer-0-padding');
  const options = await padding.locator('option').allTextContents();
  expect(options.filter((o) => o === 'valid')).toHaveLength(1);
  const activation = await page.getByTestId('layer-0-activation').locator('option').allTextContents();
  expect(activation.filter((o) => o === 'linear')).toHaveLength(1);
});

/** Every text the run status badge shows, recorded in the page so a short-lived "Stopping…" is not missed. */
async function recordStatus(): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __statuses: string[] };
    w.__statuses = [];
    const badge = document.querySelector('[data-testid="run-status"]')!;
    const note = () => w.__statuses.push(badge.textContent?.trim() ?? '');
    new MutationObserver(note).observe(badge, { childList: true, characterData: true, subtree: true });
  });
}

async function train(name: string, batch: number): Promise<void> {
  await openSpecFile(page, TINY, 'tiny-cnn.json');
  await page.getByTestId('model-name').fill(name);
  await page.getByRole('tab', { name: 'Train' }).click();
  await page.getByTestId('set-batch').fill(String(batch));
  await page.getByTestId('set-epochs').fill('1');
  await expect(page.getByTestId('start')).toBeEnabled();
  await recordStatus();
  await page.getByTestId('start').click();
}

test('Stop in the last epoch ends the run at the next batch, shows Stopping…, and both views say Stopped', async () => {
  // One epoch of 8,000 batches of one image: without a stop at the batch boundary it would run to the end and finish.
  await train('stop-me', 1);
  await expect(page.getByTestId('samples-per-sec')).not.toHaveText('—', { timeout: 60_000 });
  await page.getByTestId('stop').click();
  await expect(page.getByTestId('run-status')).toHaveText('Stopped', { timeout: 30_000 });
  const statuses = await page.evaluate(() => (window as unknown as { __statuses: string[] }).__statuses);
  expect(statuses).toContain('Stopping…');
  await expect(page.getByTestId('training-log')).toContainText('Stopped after 0 epochs');
  await expect(page.getByTestId('epoch-counter')).toContainText('Epoch 1 / 1');
  await shot(page, 'stop-mid-epoch');

  await page.getByRole('tab', { name: 'Runs' }).click();
  const row = page.getByTestId('run-row').filter({ hasText: 'stop-me' });
  await expect(row.getByTestId('run-status-cell')).toHaveText('stopped');
  await expect(row).toContainText('0/1');
});

async function finish(name: string): Promise<void> {
  await train(name, 64);
  await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 90_000 });
}

const rowOf = (name: string): Locator => page.getByTestId('run-row').filter({ hasText: name });

test('Runs: a click opens a run, the boxes choose what is compared, and every compared run has its row', async () => {
  await finish('pick-a');
  await finish('pick-b');
  await page.getByRole('tab', { name: 'Runs' }).click();

  await rowOf('pick-a').locator('.rn').click();
  await expect(page.getByTestId('open-run-name')).toHaveText('pick-a');
  await expect(rowOf('pick-a')).toHaveAttribute('data-opened', 'true');
  await expect(rowOf('pick-a').getByTestId('run-select')).not.toBeChecked();

  await rowOf('pick-b').getByTestId('run-select').check();
  await rowOf('stop-me').getByTestId('run-select').check();
  await expect(page.getByTestId('compare-row')).toHaveCount(2);
  await expect(page.getByTestId('open-run-name')).toHaveText('pick-a');

  await rowOf('pick-a').getByTestId('run-select').check();
  await expect(page.getByTestId('compare-row')).toHaveCount(3);
  for (const name of ['pick-a', 'pick-b', 'stop-me']) await expect(page.getByTestId('compare-table')).toContainText(name);
  await expect(page.getByTestId('open-run-name')).toHaveText('pick-a');
  await shot(page, 'runs-open-and-compare');

  // The export format list is wide enough for its longest label.
  const fits = await page.getByTestId('export-format').evaluate((select) => {
    const ctx = document.createElement('canvas').getContext('2d')!;
    ctx.font = getComputedStyle(select).font;
    const widest = Math.max(...[...(select as HTMLSelectElement).options].map((o) => ctx.measureText(o.text).width));
    return { widest, room: select.clientWidth - 28 };
  });
  expect(fits.widest).toBeLessThanOrEqual(fits.room);

  // Un-ticking changes the comparison only; the open run stays the one the buttons act on.
  await rowOf('pick-a').getByTestId('run-select').uncheck();
  await expect(page.getByTestId('compare-row')).toHaveCount(2);
  await expect(page.getByTestId('open-run-name')).toHaveText('pick-a');
  await rowOf('pick-b').locator('.rn').click();
  await expect(page.getByTestId('open-run-name')).toHaveText('pick-b');
  await expect(rowOf('pick-b').getByTestId('run-select')).toBeChecked();
  await expect(page.getByTestId('compare-row')).toHaveCount(2);
});

test('a batch larger than the training images blocks Start with the reason before training', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'layerbench-e2e-eight-'));
  try {
    for (const [k, name] of ['dots', 'bars'].entries()) {
      mkdirSync(path.join(root, name));
      for (let i = 0; i < 4; i++) {
        const pixels = Buffer.alloc(12 * 12 * 3, 40 + 80 * k + 10 * i);
        await sharp(pixels, { raw: { width: 12, height: 12, channels: 3 } })
          .png()
          .toFile(path.join(root, name, `${i}.png`));
      }
    }
    await page.getByRole('tab', { name: 'Data' }).click();
    await page.getByTestId('import-kind').selectOption('folder');
    await page.getByTestId('import-path').fill(root);
    await page.getByTestId('import-start').click();
    await expect(page.getByTestId('dataset-summary')).toContainText('12 × 12', { timeout: 60_000 });
    await page.getByRole('tab', { name: 'Model' }).click();
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('preset-seed-baseline').click();
    await expect(page.getByTestId('layer-0-shape')).toHaveText('12 × 12 × 32');
    await page.getByRole('tab', { name: 'Train' }).click();
    await setNumber(page, 'set-batch', 32);
    await expect(page.getByTestId('start')).toBeDisabled();
    await expect(page.getByTestId('start-blocked')).toContainText('batch size 32 is larger than the 6 training images');
    await shot(page, 'start-blocked-batch-too-large');
    await setNumber(page, 'set-batch', 6);
    await expect(page.getByTestId('start')).toBeEnabled();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
