/**
 * The dataset import form when an import goes wrong: a missing folder is said once, in plain words, with no
 * progress bar left behind; the path example follows the chosen format; and an import of `/` (which would
 * list the whole disk) shows its listing progress and stops on Cancel.
 */
import { expect, test } from '@playwright/test';
import { openApp, shot } from './support/helpers.js';

test.beforeEach(async ({ page }) => {
  await openApp(page);
  await page.getByRole('tab', { name: 'Data' }).click();
});

test('the path example follows the chosen format', async ({ page }) => {
  const kind = page.getByTestId('import-kind');
  const input = page.getByTestId('import-path');
  await kind.selectOption('cifar10');
  await expect(input).toHaveAttribute('placeholder', /cifar-10-binary\.tar\.gz$/);
  await kind.selectOption('idx');
  await expect(input).toHaveAttribute('placeholder', /fashion-mnist$/);
  await kind.selectOption('folder');
  await expect(input).toHaveAttribute('placeholder', '/home/me/data/flowers');
});

test('a failed import says why once, in plain words, with no bar left', async ({ page }) => {
  const input = page.getByTestId('import-path');
  await page.getByTestId('import-kind').selectOption('folder');
  await input.fill('/no/such/folder');
  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('import-error')).toHaveText('/no/such/folder: no such folder');
  await expect(page.getByTestId('import-progress')).toHaveCount(0);
  await expect(page.getByTestId('import-status')).toHaveCount(0);
  await expect(page.getByText('no such folder')).toHaveCount(1);
  await shot(page, 'dataset-import-missing-folder');

  await input.fill('relative/dir');
  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('import-error')).toHaveText('"relative/dir" is not an absolute path');
  await expect(page.locator('body')).not.toContainText('dataset:import');
});

test('an import of / shows the files it lists and stops on Cancel', async ({ page }) => {
  await page.getByTestId('import-kind').selectOption('folder');
  await page.getByTestId('import-path').fill('/');
  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('import-status')).toContainText(/Listing files: [\d,]+ so far/);
  await expect(page.getByTestId('import-progress')).toBeVisible();
  await shot(page, 'dataset-import-listing-root');
  await page.getByTestId('import-cancel').click();
  await expect(page.getByTestId('import-canceled')).toHaveText('Import canceled; nothing was added.');
  await expect(page.getByTestId('import-progress')).toHaveCount(0);
  await expect(page.getByTestId('import-cancel')).toHaveCount(0);
  await expect(page.getByTestId('import-start')).toBeEnabled();
  await expect(page.getByTestId('import-error')).toHaveCount(0);
  await expect(page.getByTestId('dataset-badge')).toContainText('MNIST');
});
