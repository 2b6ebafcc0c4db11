/**
 * `dataset:cancelImport` stops an import running in the service: the import answers `{ canceled: true }`,
 * a `canceled` progress event replaces the failure, nothing is remembered, and the next import runs.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Events, Result } from '../../../common/contract.js';
import { createService } from '../../../main/service/service.js';
import { FakeHost } from './fake-host.js';

type Progress = Events['dataset:progress'];

beforeEach(() => {
  process.env.XDG_CACHE_HOME = mkdtempSync(path.join(os.tmpdir(), 'lb-cache-'));
});

async function imageFolder(): Promise<string> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'lb-cancel-'));
  const png = await sharp({ create: { width: 6, height: 6, channels: 3, background: '#3366cc' } })
    .png()
    .toBuffer();
  for (const cls of ['a', 'b']) {
    mkdirSync(path.join(root, cls));
    for (let i = 0; i < 3; i++) writeFileSync(path.join(root, cls, `${i}.png`), png);
  }
  return root;
}

describe('dataset:cancelImport', () => {
  it('stops the import at its next file; a second import meanwhile is BUSY; the next one runs', async () => {
    const folder = await imageFolder();
    const progress: Progress[] = [];
    let duringImport: Promise<Result<unknown>>[] = [];
    const service = createService({
      mode: 'browser',
      dataDir: mkdtempSync(path.join(os.tmpdir(), 'lb-service-')),
      version: '0.0.0',
      versions: { node: process.versions.node },
      host: new FakeHost(),
      emit: (event, payload) => {
        if (event !== 'dataset:progress') return;
        progress.push(payload as Progress);
        // The first progress event arrives while the import runs: ask for another, then cancel it.
        if (progress.length === 1 && duringImport.length === 0) {
          duringImport = [service.handle('dataset:import', { kind: 'folder', path: folder }), service.handle('dataset:cancelImport', {})];
        }
      },
    });
    expect(await service.handle('dataset:cancelImport', {})).toEqual({ ok: true, value: { canceled: false } });

    const first = await service.handle('dataset:import', { kind: 'folder', path: folder });
    expect(first).toEqual({ ok: true, value: { canceled: true } });
    const [second, cancel] = await Promise.all(duringImport);
    expect(second).toMatchObject({
      ok: false,
      error: { code: 'BUSY', message: expect.stringMatching(/^Another dataset import is running/) },
    });
    expect(cancel).toEqual({ ok: true, value: { canceled: true } });
    expect(progress.map((p) => p.phase)).toEqual(['reading', 'canceled']);
    const listed = (await service.handle('dataset:list', {})) as Result<{ datasets: { id: string }[] }>;
    expect(listed.ok && listed.value.datasets.map((d) => d.id)).toEqual(['mnist']);

    const again = await service.handle('dataset:import', { kind: 'folder', path: folder });
    expect(again).toMatchObject({ ok: true, value: { canceled: false, dataset: { trainCount: 6 } } });
    expect(progress.at(-1)?.phase).toBe('done');
  });
});
