/** Shared steps for the browser suite: opening the app, numbered screenshots, reading the model summary. */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, type Page } from '@playwright/test';
import { REPO } from './serve.js';

export const SCREENSHOTS = path.join(REPO, 'test-results', 'screenshots');
let shotIndex = 0;

export function appUrl(): string {
  const url = process.env.LAYERBENCH_E2E_URL;
  if (!url) throw new Error('LAYERBENCH_E2E_URL is not set: the global setup did not start `layerbench serve`');
  return url;
}

export function dataDir(): string {
  const dir = process.env.LAYERBENCH_E2E_DATA_DIR;
  if (!dir) throw new Error('LAYERBENCH_E2E_DATA_DIR is not set');
  return dir;
}

/** Full-window screenshot, numbered in the order the suite takes them, for a person to look through. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  shotIndex++;
  await page.screenshot({ path: path.join(SCREENSHOTS, `${String(shotIndex).padStart(2, '0')}-${name}.png`) });
}

export async function openApp(page: Page, url = appUrl()): Promise<void> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url);
  await expect(page.getByTestId('backend-badge')).not.toHaveText(/Backend…/);
  await expect(page.getByTestId('dataset-badge')).toContainText('MNIST');
  expect(errors, 'the page logged errors while loading').toEqual([]);
}

export async function setNumber(page: Page, testId: string, value: number | string): Promise<void> {
  const input = page.getByTestId(testId);
  await input.fill(String(value));
  await input.press('Tab');
}

/** Opens an experiment in the editor through the Model view's spec file input, as a person picking a file would. */
export async function openSpecFile(page: Page, spec: { model: { name?: string; layers: unknown[] } }, fileName: string): Promise<void> {
  await page.getByRole('tab', { name: 'Model' }).click();
  await page
    .getByTestId('spec-file')
    .setInputFiles({ name: fileName, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(spec)) });
  await expect(page.getByTestId('layer-list').locator('> li[data-testid^="layer-"]')).toHaveCount(spec.model.layers.length);
}

/** The run folders of the suite's server whose run.json carries this name (newest last). */
export function runDirsNamed(name: string): string[] {
  const root = path.join(dataDir(), 'runs');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .sort()
    .map((id) => path.join(root, id))
    .filter((dir) => {
      try {
        return (JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')) as { name?: string }).name === name;
      } catch {
        return false;
      }
    });
}
