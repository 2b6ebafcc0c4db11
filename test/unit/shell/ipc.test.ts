/**
 * Every contract channel has a validated handler behind IPC; messages from foreign senders (another web
 * contents, an iframe, a page that is not the app's) and malformed payloads are refused with a Result.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CHANNELS, type Result } from '../../../common/contract.js';
import { isTrustedSender, registerIpc } from '../../../main/electron/ipc.js';
import { createService, type Service } from '../../../main/service/service.js';
import { FakeIpcMain, FakeWebContents } from './fake-electron.js';
import { FakeHost } from './fake-host.js';

function makeService(): Service {
  return createService({
    mode: 'electron',
    dataDir: mkdtempSync(path.join(os.tmpdir(), 'lb-ipc-')),
    version: '0.0.0-test',
    versions: { node: process.versions.node },
    host: new FakeHost(),
    emit: () => {},
    dialogs: { pickDirectory: async () => null, pickFile: async () => null, pickFiles: async () => null, saveFile: async () => null },
  });
}

function eventFrom(sender: FakeWebContents, frame: { url: string } | null = sender.mainFrame) {
  return { sender, senderFrame: frame } as never;
}

describe('IPC handlers', () => {
  let ipc: FakeIpcMain;
  let service: Service;
  let own: FakeWebContents;

  beforeEach(() => {
    ipc = new FakeIpcMain();
    service = makeService();
    own = new FakeWebContents();
    registerIpc(ipc as never, service, (c) => c === (own as never));
  });

  it('registers exactly the contract channels, each backed by a service handler', () => {
    expect([...ipc.handlers.keys()].sort()).toEqual([...CHANNELS].sort());
    expect(Object.keys(service.handlers).sort()).toEqual([...CHANNELS].sort());
  });

  it.each(CHANNELS)('%s refuses a malformed payload with INVALID_REQUEST', async (channel) => {
    const answer = (await ipc.handlers.get(channel)!(eventFrom(own), { unexpected: 1, runId: 42 })) as Result<unknown>;
    expect(answer.ok).toBe(false);
    if (!answer.ok) expect(answer.error.code).toBe('INVALID_REQUEST');
    const notObject = (await ipc.handlers.get(channel)!(eventFrom(own), 'a string')) as Result<unknown>;
    expect(notObject.ok).toBe(false);
  });

  it('answers a valid request from the app window', async () => {
    const answer = (await ipc.handlers.get('model:summarize')!(eventFrom(own), {
      model: { inputShape: [8, 8, 1], layers: [{ type: 'Flatten' }, { type: 'Dense', units: 3, activation: 'softmax' }] },
      numClasses: 3,
    })) as Result<{ summary: { totalParams: number } }>;
    expect(answer).toMatchObject({ ok: true, value: { summary: { totalParams: 8 * 8 * 3 + 3 } } });
  });

  it('refuses other web contents, iframes, destroyed frames and foreign pages without calling the service', async () => {
    const spy = vi.spyOn(service, 'handle');
    const stranger = new FakeWebContents();
    const foreignPage = new FakeWebContents('https://example.com/');
    const cases = [eventFrom(stranger), eventFrom(own, { url: 'app://layerbench/index.html' }), eventFrom(own, null)];
    for (const event of cases) {
      const answer = (await ipc.handlers.get('runs:list')!(event, {})) as Result<unknown>;
      expect(answer).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    // A page that is not the app's, even in the app's own window.
    const registered = new FakeIpcMain();
    registerIpc(registered as never, service, (c) => c === (foreignPage as never));
    const answer = (await registered.handlers.get('runs:list')!(eventFrom(foreignPage), {})) as Result<unknown>;
    expect(answer).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(spy).not.toHaveBeenCalled();
    expect(isTrustedSender(eventFrom(own), (c) => c === (own as never))).toBe(true);
  });

  it('answers an unknown channel with UNKNOWN_CHANNEL, never an exception', async () => {
    await expect(service.handle('fs:readFile', { path: '/etc/passwd' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_CHANNEL' },
    });
  });
});
