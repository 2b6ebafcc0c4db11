/**
 * The Electron main entry wired against a fake `electron` module: it registers the app:// protocol, every
 * contract channel, a secure window given the contract's names for its preload, and starts training in a
 * utility process whose events and exit reach the window.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { CHANNELS } from '../../../common/contract.js';
import { DEFAULT_TRAINING } from '../../../common/spec.js';
import { fakeElectron, FakeBrowserWindow } from './fake-electron.js';
import { writeFixtureProcess } from './fixture-process.js';

const fake = fakeElectron();
vi.mock('electron', () => fake.electron);

describe('startApp', () => {
  it('wires protocol, IPC, a secure window and utility-process training', async () => {
    const { startApp } = await import('../../../main/electron/app.js');
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lb-app-'));
    const started = await startApp(fake.electron as never, { dataDir, rendererDir: dataDir, trainingEntry: writeFixtureProcess() });

    expect(fake.protocolHandlers.has('app')).toBe(true);
    expect([...fake.electron.ipcMain.handlers.keys()].sort()).toEqual([...CHANNELS].sort());
    const win = FakeBrowserWindow.created.at(-1)!;
    expect(win.loadedUrl).toBe('app://layerbench/index.html');
    const prefs = win.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(String(prefs.preload)).toMatch(/preload\.cjs$/);
    const args = prefs.additionalArguments as string[];
    expect(
      args
        .find((a) => a.startsWith('--layerbench-channels='))
        ?.split('=')[1]
        .split(','),
    ).toEqual([...CHANNELS]);
    expect(win.webContents.windowOpenHandler?.({ url: 'https://x' })).toEqual({ action: 'deny' });

    const event = { sender: win.webContents, senderFrame: win.webContents.mainFrame };
    const model = { inputShape: [28, 28, 1], layers: [{ type: 'Flatten' }, { type: 'Dense', units: 10, activation: 'softmax' }] };
    const answer = (await fake.electron.ipcMain.handlers.get('training:start')!(event, {
      experiment: { model, training: { ...DEFAULT_TRAINING, epochs: 3 } },
      datasetId: 'mnist',
      name: 'crash',
    })) as { ok: boolean; value: { runId: string } };
    expect(answer.ok).toBe(true);
    await started.host.whenExited(answer.value.runId);
    expect(fake.forks.at(-1)?.entry).toMatch(/fixture-training-process\.mjs$/);
    const exit = win.webContents.sent.find((s) => s.channel === 'training:exit')?.payload;
    expect(exit).toMatchObject({ runId: answer.value.runId, reason: 'crashed', epochsDone: 1 });
    expect(win.webContents.sent.some((s) => s.channel === 'training:event')).toBe(true);
  });
});
