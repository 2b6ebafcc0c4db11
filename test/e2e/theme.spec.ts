/**
 * The theme toggle: System follows the OS, Light and Dark override it, and the choice survives a reload.
 * The OS preference is emulated dark so that "Light" visibly overrides it.
 */
import { expect, test, type Page } from '@playwright/test';
import { openApp, shot } from './support/helpers.js';

const background = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
const DARK_BG = 'rgb(21, 24, 30)';
const LIGHT_BG = 'rgb(244, 245, 247)';

test('the theme toggle overrides the OS theme and is remembered', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await openApp(page);
  const toggle = page.getByTestId('theme-toggle');
  await expect(toggle).toHaveAttribute('data-theme-choice', 'system');
  expect(await background(page)).toBe(DARK_BG);

  await toggle.click();
  await expect(toggle).toHaveAttribute('data-theme-choice', 'light');
  expect(await background(page)).toBe(LIGHT_BG);
  await shot(page, 'theme-light-over-dark-os');

  await page.reload();
  await expect(page.getByTestId('theme-toggle')).toHaveAttribute('data-theme-choice', 'light');
  expect(await background(page)).toBe(LIGHT_BG);

  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByTestId('theme-toggle').click();
  await expect(page.getByTestId('theme-toggle')).toHaveAttribute('data-theme-choice', 'dark');
  expect(await background(page)).toBe(DARK_BG);

  // Back to System: the OS (now light) decides again.
  await page.getByTestId('theme-toggle').click();
  await expect(page.getByTestId('theme-toggle')).toHaveAttribute('data-theme-choice', 'system');
  expect(await background(page)).toBe(LIGHT_BG);
});
