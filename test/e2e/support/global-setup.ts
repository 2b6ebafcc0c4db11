/**
 * One `layerbench serve` for the browser suite, on a fresh data folder so runs from earlier test sessions
 * never leak in. Its URL and folder reach the tests through the environment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FullConfig } from '@playwright/test';
import { checkBuilt, serve } from './serve.js';

export default async function globalSetup(config: FullConfig): Promise<() => Promise<void>> {
  const browserProject = config.projects.some((p) => p.name === 'browser');
  if (!browserProject) return async () => {};
  checkBuilt();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'layerbench-e2e-'));
  const served = await serve(dataDir);
  process.env.LAYERBENCH_E2E_URL = served.url;
  process.env.LAYERBENCH_E2E_DATA_DIR = dataDir;
  return async () => {
    await served.stop();
    if (!process.env.LAYERBENCH_E2E_KEEP) rmSync(dataDir, { recursive: true, force: true });
  };
}
