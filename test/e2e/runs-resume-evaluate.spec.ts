/**
 * Runs that continue and models that are scored, in the real UI against the real `layerbench serve`: a run
 * whose training process is killed mid-run is listed as interrupted, Resume continues it to its planned
 * epochs with one history; then its model is evaluated (confusion matrix, per-class scores, worst mistakes).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openApp, openSpecFile, runDirsNamed, shot } from './support/helpers.js';

test.describe.configure({ mode: 'serial' });

const NAME = 'resumable-cnn';
const EPOCHS = 4;
const SPEC = {
  model: {
    name: NAME,
    inputShape: [28, 28, 1],
    layers: [
      { type: 'Conv2D', filters: 8, kernelSize: 3, strides: 2, activation: 'relu' },
      { type: 'Flatten' },
      { type: 'Dense', units: 10, activation: 'softmax' },
    ],
  },
  // Batch 8 makes an epoch take a few seconds here: time to interrupt the run after its first epoch.
  training: { optimizer: 'adam', learningRate: 0.001, batchSize: 8, epochs: EPOCHS, validationSplit: 0.2, seed: 11 },
};

let page: Page;

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  await openApp(page);
});

test.afterAll(async () => {
  await page.close();
});

/** The epochs that count, as the run store reads epochs.jsonl: a resume marker supersedes the lines after its epoch. */
function effectiveEpochs(dir: string): number[] {
  let epochs: number[] = [];
  for (const line of readFileSync(path.join(dir, 'epochs.jsonl'), 'utf8').split('\n').filter(Boolean)) {
    const rec = JSON.parse(line) as { epoch?: number; resumed?: { fromEpoch: number } };
    if (rec.resumed) epochs = epochs.filter((e) => e <= rec.resumed!.fromEpoch);
    else if (rec.epoch !== undefined) epochs.push(rec.epoch);
  }
  return epochs;
}

test('a run whose training process is killed is listed as interrupted and resumes to its planned epochs', async () => {
  await openSpecFile(page, SPEC, `${NAME}.json`);
  await page.getByTestId('start').click();

  // Kill the training process (as a crash or power loss would) once an epoch is checkpointed.
  let pid = 0;
  let kept = 0;
  let dir = '';
  await expect
    .poll(
      () => {
        dir = runDirsNamed(NAME).at(-1) ?? '';
        try {
          const info = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')) as { process?: { pid: number } };
          kept = (JSON.parse(readFileSync(path.join(dir, 'checkpoints', 'last', 'state.json'), 'utf8')) as { epoch: number }).epoch;
          pid = kept >= 1 && info.process ? info.process.pid : 0;
        } catch {
          pid = 0; // not written yet
        }
        return pid;
      },
      { timeout: 60_000, intervals: [50] },
    )
    .toBeGreaterThan(0);
  process.kill(pid, 'SIGKILL');

  // SIGKILL is also how the system ends a process out of memory: the host may report either; both offer Resume.
  await expect(page.getByTestId('run-failure')).toContainText(/stopped unexpectedly|ran out of memory/);
  await expect(page.getByTestId('run-failure')).toContainText('Resume continues the run from the last completed epoch');
  await expect(page.getByTestId('resume-bar')).toBeVisible();
  expect(kept).toBeLessThan(EPOCHS);
  expect(effectiveEpochs(dir).length).toBeGreaterThanOrEqual(kept);
  await shot(page, 'run-interrupted');

  await page.getByRole('tab', { name: 'Runs' }).click();
  const row = page.getByTestId('run-row').filter({ hasText: NAME });
  await expect(row.getByTestId('run-status-cell')).toHaveText('interrupted');
  await row.getByTestId('run-select').check();
  await expect(page.getByTestId('run-facts')).toContainText(`${kept} of ${EPOCHS} epochs done`);
  await expect(page.getByTestId('resume-run')).toBeVisible();
  await shot(page, 'run-list-interrupted');

  await row.getByTestId('run-resume').click();
  await expect(page.getByRole('tab', { name: 'Train' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('training-log')).toContainText(`Resuming after epoch ${kept}`, { timeout: 60_000 });
  await expect(page.getByTestId('training-log')).toContainText('── resumed at');
  await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 120_000 });
  await expect(page.getByTestId('epoch-counter')).toHaveText(`Epoch ${EPOCHS} / ${EPOCHS}`);
  // One history: the epochs before the crash and those after it, loss and val_loss per epoch.
  await expect(page.getByTestId('chart-loss')).toHaveAttribute('data-points', String(2 * EPOCHS));
  await expect(page.getByTestId('training-log')).toContainText(`Epoch ${EPOCHS}/${EPOCHS}`);
  await expect(page.getByTestId('resume-bar')).toHaveCount(0);
  await shot(page, 'run-resumed-finished');
  expect(effectiveEpochs(dir)).toEqual([1, 2, 3, 4]);

  await page.getByRole('tab', { name: 'Runs' }).click();
  await expect(row.getByTestId('run-status-cell')).toHaveText('finished');
  await expect(row).toContainText(`${EPOCHS}/${EPOCHS}`);
  await expect(row.getByTestId('run-resume')).toHaveCount(0);
  await expect(page.getByTestId('run-facts')).toContainText(`Resumed after epoch ${kept}`);
});

test('evaluates a finished run: confusion matrix, per-class scores and its worst mistakes with images', async () => {
  const evaluation = page.getByTestId('evaluation');
  // Training ends with an evaluation of the final model; it is shown as soon as the run is.
  await expect(evaluation.getByTestId('evaluation-count')).toBeVisible();
  await evaluation.getByTestId('evaluate-model').selectOption('best');
  await evaluation.getByTestId('evaluate').click();
  await expect(evaluation.getByTestId('evaluate')).toHaveText('Evaluating…');
  await expect(evaluation.getByTestId('evaluate')).toHaveText('Evaluate', { timeout: 60_000 });
  await expect(evaluation).toContainText('best checkpoint');
  await expect(evaluation.getByTestId('evaluation-set')).toContainText('validation');

  const count = Number((await evaluation.getByTestId('evaluation-count').textContent())!.replace(/,/g, ''));
  expect(count).toBe(2000);
  const cells = evaluation.getByTestId('confusion-cell');
  await expect(cells).toHaveCount(100);
  const counts = await cells.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))));
  expect(counts.reduce((a, b) => a + b, 0)).toBe(count);
  // The diagonal holds the correct answers: its share is the reported accuracy.
  const correct = counts.filter((_, i) => i % 11 === 0).reduce((a, b) => a + b, 0);
  const accuracy = Number((await evaluation.getByTestId('evaluation-accuracy').textContent())!.replace('%', '')) / 100;
  expect(Math.abs(correct / count - accuracy)).toBeLessThan(0.0001);

  await expect(evaluation.getByTestId('per-class-row')).toHaveCount(10);
  const mistakes = evaluation.getByTestId('misclassified-item');
  expect(await mistakes.count()).toBeGreaterThan(0);
  const widths = await mistakes.locator('img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth));
  expect(widths.length).toBeGreaterThan(0);
  for (const w of widths) expect(w).toBe(28);
  await evaluation.scrollIntoViewIfNeeded();
  await shot(page, 'evaluation-report');
  await evaluation.getByTestId('misclassified').scrollIntoViewIfNeeded();
  await shot(page, 'evaluation-mistakes');
});
