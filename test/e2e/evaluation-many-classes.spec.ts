/**
 * An evaluation of a 100-class model (CIFAR-100's fine labels) stays readable: the confusion matrix scrolls
 * inside its panel with class numbers as column heads, names in the row heads. A scripted `window.layerbench`
 * provides the run, as training a 100-class model here would take minutes.
 */
import { expect, test } from '@playwright/test';
import type { EvaluationReport, RunDetails, RunSummary } from '../../common/contract.js';
import { appUrl, shot } from './support/helpers.js';
import { installMockApi } from './support/mock-api.js';

const CLASSES = Array.from({ length: 100 }, (_, i) => `class-${String(i).padStart(2, '0')}`);
const PER_CLASS = 100;

/** A plausible confusion matrix: mostly right, each class confused with its two neighbours. */
function report(): EvaluationReport {
  const confusion = CLASSES.map((_, t) => {
    const row = new Array<number>(CLASSES.length).fill(0);
    const wrong = 5 + (t % 30);
    row[t] = PER_CLASS - wrong;
    row[(t + 1) % CLASSES.length] += Math.ceil(wrong / 2);
    row[(t + 7) % CLASSES.length] += Math.floor(wrong / 2);
    return row;
  });
  const count = CLASSES.length * PER_CLASS;
  const correct = confusion.reduce((sum, row, i) => sum + row[i], 0);
  return {
    set: 'test',
    setDescription: 'the dataset’s test set (10,000 images)',
    model: 'final',
    count,
    loss: 1.234,
    accuracy: correct / count,
    classNames: CLASSES,
    confusion,
    perClass: CLASSES.map((name, i) => {
      const predicted = confusion.reduce((sum, row) => sum + row[i], 0);
      return { name, support: PER_CLASS, precision: confusion[i][i] / predicted, recall: confusion[i][i] / PER_CLASS, accuracy: 0.99 };
    }),
    misclassified: [{ index: 12, trueLabel: 3, predicted: 4, confidence: 0.97, trueProbability: 0.01, dataUrl: null }],
    warnings: [],
    evaluatedAt: '2026-11-28T08:00:00.000Z',
  };
}

test('a 100-class confusion matrix scrolls within its panel and every image is counted', async ({ page }) => {
  const summary: RunSummary = {
    runId: 'wide-run',
    name: 'cifar100-cnn',
    createdAt: '2026-11-28T07:00:00.000Z',
    status: 'finished',
    active: false,
    datasetId: 'cifar100:/data/cifar-100-binary.tar.gz',
    datasetName: 'CIFAR-100',
    epochsPlanned: 10,
    epochsDone: 10,
    hasModel: true,
    resumable: false,
    problems: [],
  };
  const details: RunDetails = {
    ...summary,
    experiment: { model: { inputShape: [32, 32, 3], layers: [] }, training: {} as RunDetails['experiment']['training'] },
    history: [],
    classNames: CLASSES,
    inputShape: [32, 32, 3],
    dir: '/data/runs/wide-run',
    logTail: [],
    resumes: [],
    evaluation: report(),
  };
  await page.addInitScript(installMockApi, { run: { summary, details } });
  await page.goto(appUrl());
  await page.getByRole('tab', { name: 'Runs' }).click();
  await page.getByTestId('run-select').check();
  const matrix = page.getByTestId('confusion-matrix');
  await expect(matrix.getByTestId('confusion-cell')).toHaveCount(100 * 100);
  const counts = await matrix.getByTestId('confusion-cell').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))));
  expect(counts.reduce((a, b) => a + b, 0)).toBe(100 * PER_CLASS);
  const box = await matrix.evaluate((el) => ({ sw: el.scrollWidth, cw: el.clientWidth, sh: el.scrollHeight, ch: el.clientHeight }));
  expect(box.sw).toBeGreaterThan(box.cw);
  expect(box.sh).toBeGreaterThan(box.ch);
  await expect(page.getByTestId('per-class-row')).toHaveCount(100);
  await expect(page.getByTestId('misclassified-item')).toContainText('no image');
  await page.getByTestId('evaluation').scrollIntoViewIfNeeded();
  await matrix.evaluate((el) => el.scrollTo(400, 600));
  await shot(page, 'evaluation-100-classes');
});
