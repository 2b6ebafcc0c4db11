/**
 * The lab, end to end, in a real browser against the real `layerbench serve`: design a model from a preset,
 * break it and fix it, train, stop, compare, save, export, and find the runs again after a restart.
 * Serial: each step builds on the runs the previous ones made.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { preset } from '../../common/presets.js';
import { summarize } from '../../common/summarize.js';
import { appUrl, dataDir, openApp, setNumber, shot } from './support/helpers.js';
import { installLatencyProbe, summarizeLatency } from './support/latency.js';
import { serve } from './support/serve.js';

test.describe.configure({ mode: 'serial' });

const TINY_SPEC = {
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
    epochs: 2,
    validationSplit: 0.2,
    seed: 7,
    augmentation: { horizontalFlip: false, shiftPixels: 0 },
  },
};

let page: Page;

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  await page.addInitScript(installLatencyProbe);
  await openApp(page);
});

test.afterAll(async () => {
  await page.close();
});

/** Where the training view's panels sit, to check that streaming metrics never shift the layout. */
async function boxes() {
  const ids = ['batch-progress', 'chart-loss', 'chart-accuracy', 'chart-batch-loss', 'training-log'];
  return Promise.all(ids.map(async (id) => ({ id, box: await page.getByTestId(id).boundingBox() })));
}

async function openSpec(spec: typeof TINY_SPEC, name: string) {
  await page.getByRole('tab', { name: 'Model' }).click();
  await page.getByTestId('spec-file').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(spec)) });
  await expect(page.getByTestId('layer-list').locator('> li[data-testid^="layer-"]')).toHaveCount(
    spec && (spec as typeof TINY_SPEC).model.layers.length,
  );
}

test('builds a model from a preset, with shapes and parameters as Keras counts them', async () => {
  await shot(page, 'app-opened');
  await page.getByTestId('preset-seed-dropout').click();
  const expected = summarize(preset('seed-dropout', { inputShape: [28, 28, 1], numClasses: 10 }).model, { numClasses: 10 });
  const rows = page.getByTestId('layer-list').locator('> li[data-testid^="layer-"]');
  await expect(rows).toHaveCount(expected.layers.length);
  await expect(page.getByTestId('total-params')).toHaveText(expected.totalParams.toLocaleString('en-US'));
  await expect(page.getByTestId('layer-0-shape')).toHaveText('28 × 28 × 32');
  await expect(page.getByTestId('model-status')).toContainText('Ready to train');
  await expect(page.getByTestId('start')).toBeEnabled();
  await shot(page, 'preset-dropout');

  // Reorder by dragging: Dropout (4th) dropped on the top half of MaxPooling2D (3rd) moves above it, and back.
  await expect(page.getByTestId('layer-3')).toHaveAttribute('data-type', 'Dropout');
  await page.getByTestId('layer-3-handle').dragTo(page.getByTestId('layer-2'), { targetPosition: { x: 200, y: 5 } });
  await expect(page.getByTestId('layer-2')).toHaveAttribute('data-type', 'Dropout');
  await expect(page.getByTestId('layer-3')).toHaveAttribute('data-type', 'MaxPooling2D');
  await page.getByTestId('layer-2-handle').dragTo(page.getByTestId('layer-3'), { targetPosition: { x: 200, y: 60 } });
  await expect(page.getByTestId('layer-3')).toHaveAttribute('data-type', 'Dropout');
  await expect(page.getByTestId('total-params')).toHaveText(expected.totalParams.toLocaleString('en-US'));
});

test('shows the error on the layer at fault, blocks Start with the reason, and clears when fixed', async () => {
  // A field out of range: the error sits on that layer's field.
  await setNumber(page, 'layer-0-kernelSize', 40);
  await expect(page.getByTestId('layer-0-error')).toContainText("a 40x40 kernel is larger than this layer's 28x28 input");
  await expect(page.getByTestId('start')).toBeDisabled();
  await expect(page.getByTestId('start-blocked')).toContainText('Layer 1');
  await shot(page, 'invalid-kernel');
  await setNumber(page, 'layer-0-kernelSize', 3);
  await expect(page.getByTestId('layer-0-error')).toHaveCount(0);

  // A structural error: without Flatten, Dense receives an image.
  const rows = page.getByTestId('layer-list').locator('> li[data-testid^="layer-"]');
  const flatten = rows.filter({ has: page.locator('.type', { hasText: /^Flatten$/ }) });
  const flattenIndex = Number((await flatten.getAttribute('data-testid'))!.split('-')[1]);
  await page.getByTestId(`layer-${flattenIndex}-remove`).click();
  await expect(page.getByTestId(`layer-${flattenIndex}-error`)).toContainText('Dense needs a flat vector');
  await expect(page.getByTestId('start')).toBeDisabled();
  await shot(page, 'invalid-missing-flatten');

  // Fix it from the keyboard: add Flatten from the palette (it lands last), then move it up into place.
  await page.getByTestId('palette-Flatten').focus();
  await page.keyboard.press('Enter');
  const count = await rows.count();
  await page.getByTestId(`layer-${count - 1}-handle`).focus();
  for (let i = count - 1; i > flattenIndex; i--) await page.keyboard.press('ArrowUp');
  await expect(page.getByTestId(`layer-${flattenIndex}`)).toHaveAttribute('data-type', 'Flatten');
  await expect(page.locator('[data-testid$="-error"]')).toHaveCount(0);
  await expect(page.getByTestId('start')).toBeEnabled();
  await shot(page, 'fixed-by-keyboard');
});

test('trains 2 epochs, with the log, the progress and the charts updating live and the UI responsive', async () => {
  await openSpec(TINY_SPEC, 'tiny-cnn.json');
  await page.getByRole('tab', { name: 'Train' }).click();
  await expect(page.getByTestId('set-epochs')).toHaveValue('2');
  await page.evaluate(() => ((window as unknown as { __lb: { on: boolean } }).__lb.on = true));
  await page.getByTestId('start').click();
  await expect(page.getByTestId('run-status')).toHaveText(/Training|Starting/);
  await expect(page.getByTestId('training-log')).toContainText('Epoch 1/2', { timeout: 60_000 });
  await expect(page.getByTestId('training-log')).toContainText('Train on 8000 samples, validate on 2000 samples');
  await expect(page.getByTestId('samples-per-sec')).not.toHaveText('—', { timeout: 60_000 });
  const layoutWhileStreaming = await boxes();
  await shot(page, 'training-live');
  await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 90_000 });
  const raw = await page.evaluate(() => {
    const lb = (window as unknown as { __lb: { on: boolean; frames: number[]; events: number[] } }).__lb;
    lb.on = false;
    return { frames: lb.frames, events: lb.events };
  });
  const log = await page.getByTestId('training-log').textContent();
  expect(log).toMatch(/Epoch 2\/2/);
  // The same epoch line the CLI prints: progress bar over the steps, time, per-step time, then the four metrics.
  expect(log).toMatch(
    /(\d+)\/\1 \[=+\] - \d+s \d+(ms|us|s)\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}/,
  );
  await expect(page.getByTestId('chart-loss')).toHaveAttribute('data-points', '4');
  await expect(page.getByTestId('chart-accuracy')).toHaveAttribute('data-points', '4');
  expect(Number(await page.getByTestId('chart-batch-loss').getAttribute('data-points'))).toBeGreaterThan(0);
  await shot(page, 'training-finished');
  // Metrics streaming in must not move the panels around.
  expect(await boxes()).toEqual(layoutWhileStreaming);

  const stats = summarizeLatency(raw);
  console.log(`renderer latency while training: ${JSON.stringify(stats)}`);
  expect(stats.frames.count, 'animation frames were recorded while training').toBeGreaterThan(10);
  expect(stats.events.count, 'training events were received').toBeGreaterThan(2);
  // Generous bounds for a 2-core machine shared with the training process: the UI must never freeze.
  expect(stats.frames.p95).toBeLessThan(100);
  expect(stats.frames.max).toBeLessThan(1000);
  expect(stats.events.p95).toBeLessThan(100);
  expect(stats.events.max).toBeLessThan(1000);
});

test('exports the log and the chart as files', async () => {
  const [logDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-log').click()]);
  const logText = readFileSync((await logDownload.path())!, 'utf8');
  expect(logText).toContain('Epoch 2/2');
  expect(logDownload.suggestedFilename()).toBe('tiny-cnn-log.txt');
  const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-chart-accuracy').click()]);
  const bytes = readFileSync((await png.path())!);
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(bytes.length).toBeGreaterThan(2000);
});

test('stops a run midway, keeping the epochs done so far', async () => {
  await setNumber(page, 'set-epochs', 200);
  await page.getByTestId('start').click();
  await expect(page.getByTestId('training-log')).toContainText('Epoch 2/200', { timeout: 60_000 });
  // A reload mid-run (or a second window) picks the run up: its history so far, then live events.
  await page.reload();
  await expect(page.getByRole('tab', { name: 'Train' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('run-status')).toHaveText('Training');
  await expect(page.getByTestId('training-log')).toContainText('Epoch 1/200');
  expect(Number(await page.getByTestId('chart-loss').getAttribute('data-points'))).toBeGreaterThanOrEqual(2);
  await shot(page, 'run-picked-up-after-reload');
  await page.getByTestId('stop').click();
  await expect(page.getByTestId('run-status')).toHaveText('Stopped', { timeout: 60_000 });
  await expect(page.getByTestId('training-log')).toContainText(/Stopped after \d+ epoch/);
  const points = Number(await page.getByTestId('chart-loss').getAttribute('data-points'));
  expect(points).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('start')).toBeEnabled();
  await shot(page, 'run-stopped');
  // The model being edited survived the reload too.
  await page.getByRole('tab', { name: 'Model' }).click();
  await expect(page.getByTestId('layer-list').locator('> li[data-testid^="layer-"]')).toHaveCount(TINY_SPEC.model.layers.length);
  await expect(page.getByTestId('layer-0-filters')).toHaveValue('8');
});

test('lists the runs and compares two of them side by side', async () => {
  await page.getByRole('tab', { name: 'Runs' }).click();
  const rows = page.getByTestId('run-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0).getByTestId('run-status-cell')).toHaveText('stopped');
  await expect(rows.nth(1).getByTestId('run-status-cell')).toHaveText('finished');
  await rows.nth(1).getByTestId('run-select').check();
  await rows.nth(0).getByTestId('run-select').check();
  await expect(page.getByTestId('compare-row')).toHaveCount(2);
  await expect(page.getByTestId('compare-table')).toContainText('%');
  // Two runs, each with a validation and a training curve.
  const points = Number(await page.getByTestId('compare-accuracy').getAttribute('data-points'));
  expect(points).toBeGreaterThanOrEqual(2 * 2 + 2 * 2);
  await shot(page, 'compare-two-runs');
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(page.locator('body')).toHaveCSS('background-color', 'rgb(21, 24, 30)');
  await shot(page, 'compare-two-runs-dark');
  await page.emulateMedia({ colorScheme: 'light' });
});

test('saves a run’s model and the files are on disk', async () => {
  const rows = page.getByTestId('run-row');
  await rows.nth(0).getByTestId('run-select').uncheck();
  await page.getByTestId('save-model').click();
  await expect(page.getByTestId('save-result')).toBeVisible();
  const saved = (await page.getByTestId('save-path').textContent())!.trim();
  expect(path.resolve(saved).startsWith(path.resolve(dataDir()))).toBe(true);
  const dir = existsSync(path.join(saved, 'model.json')) ? saved : path.dirname(saved);
  const files = readdirSync(dir);
  expect(files).toContain('model.json');
  const model = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
  for (const p of model.weightsManifest.flatMap((m) => m.paths)) expect(existsSync(path.join(dir, p))).toBe(true);
  // Browser mode: each saved file also downloads through the page, byte for byte.
  const link = page.getByTestId('download-link').filter({ hasText: 'model.json' });
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toBe('model.json');
  expect(readFileSync((await download.path())!)).toEqual(readFileSync(path.join(dir, 'model.json')));
  await shot(page, 'model-saved');

  // Export in the other formats the app offers: each answers with files on disk, or says it is not available.
  const formats = await page
    .getByTestId('export-format')
    .locator('option:not([value=""])')
    .evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value));
  expect(formats.length).toBeGreaterThan(0);
  for (const format of formats) {
    const before = (await page.getByTestId('save-path').textContent())!.trim();
    const errorsBefore = await page.getByTestId('notice').filter({ hasText: 'not exported' }).count();
    await page.getByTestId('export-format').selectOption(format);
    await page.getByTestId('export-model').click();
    let outcome = '';
    await expect
      .poll(
        async () => {
          const now = (await page.getByTestId('save-path').textContent())!.trim();
          if (now !== before) outcome = `saved to ${now}`;
          else if ((await page.getByTestId('notice').filter({ hasText: 'not exported' }).count()) > errorsBefore) outcome = 'refused';
          return outcome;
        },
        { timeout: 60_000 },
      )
      .not.toBe('');
    if (outcome.startsWith('saved')) expect(existsSync(outcome.slice('saved to '.length)), `${format} export`).toBe(true);
    console.log(`export ${format}: ${outcome}`);
  }
});

test('runs are still listed after the app restarts', async ({ browser }) => {
  const second = await serve(dataDir());
  try {
    const other = await browser.newPage();
    await openApp(other, second.url);
    await other.getByRole('tab', { name: 'Runs' }).click();
    await expect(other.getByTestId('run-row')).toHaveCount(2);
    await shot(other, 'runs-after-restart');
    await other.close();
  } finally {
    await second.stop();
  }
  expect(appUrl()).not.toBe(second.url);
});

test('a diverging run fails with the engine’s reason and what to do, and is listed as failed', async () => {
  const diverging = {
    model: {
      name: 'diverging',
      inputShape: [28, 28, 1],
      layers: [{ type: 'Flatten' }, { type: 'Dense', units: 10, activation: 'softmax' }],
    },
    training: { ...TINY_SPEC.training, optimizer: 'sgd', learningRate: 100000, momentum: 0.9 },
  };
  await page.getByRole('tab', { name: 'Model' }).click();
  await page
    .getByTestId('spec-file')
    .setInputFiles({ name: 'diverging.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(diverging)) });
  await expect(page.getByTestId('layer-list').locator('> li[data-testid^="layer-"]')).toHaveCount(2);
  await page.getByTestId('start').click();
  await expect(page.getByTestId('run-status')).toHaveText('Failed', { timeout: 60_000 });
  await expect(page.getByTestId('run-failure')).toContainText(/diverged|NaN/);
  await expect(page.getByTestId('run-failure')).toContainText('Lower the learning rate');
  await expect(page.getByTestId('training-log')).toContainText('Error:');
  // The same seeded batches would diverge again: Resume is not offered.
  await expect(page.getByTestId('resume-live')).toHaveCount(0);
  await shot(page, 'failure-real-divergence');
  await page.getByRole('tab', { name: 'Runs' }).click();
  await expect(page.getByTestId('run-row').first().getByTestId('run-status-cell')).toHaveText('failed');
  await expect(page.getByTestId('run-row').first().getByTestId('run-resume')).toHaveCount(0);
});
