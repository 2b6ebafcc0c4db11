/**
 * The desktop window's security: secure BrowserWindow options, navigation/new-window/webview/permission
 * denial, and the app:// protocol that serves only dist/renderer (traversal refused).
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { serveAppRequest } from '../../../main/electron/app-protocol.js';
import { hardenSession, hardenWebContents, isAppUrl, secureWindowOptions } from '../../../main/electron/security.js';
import { FakeSession, FakeWebContents } from './fake-electron.js';

describe('BrowserWindow options', () => {
  it('isolate, sandbox and keep Node out of the renderer', () => {
    const prefs = secureWindowOptions('/app/preload.cjs', ['--x']).webPreferences!;
    expect(prefs).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });
});

describe('web contents and session hardening', () => {
  it('denies navigation away from app://, new windows and webviews', () => {
    const wc = new FakeWebContents();
    hardenWebContents(wc as never);
    expect(wc.fire('will-navigate', 'https://example.com/')).toBe(true);
    expect(wc.fire('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(wc.fire('will-navigate', 'app://evil/index.html')).toBe(true);
    expect(wc.fire('will-navigate', 'app://layerbench/index.html')).toBe(false);
    expect(wc.fire('will-redirect', 'http://127.0.0.1/')).toBe(true);
    // A subframe navigating (an iframe's link), which will-navigate does not see.
    expect(wc.fireDetails('will-frame-navigate', { url: 'https://example.com/', isMainFrame: false })).toBe(true);
    expect(wc.fireDetails('will-frame-navigate', { url: 'app://layerbench/index.html', isMainFrame: true })).toBe(false);
    expect(wc.fire('will-attach-webview', {}, {})).toBe(true);
    expect(wc.windowOpenHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    expect(wc.windowOpenHandler?.({ url: 'app://layerbench/index.html' })).toEqual({ action: 'deny' });
  });

  it('denies every permission request and check', () => {
    const session = new FakeSession();
    hardenSession(session as never);
    let granted: boolean | null = null;
    session.permissionRequestHandler!(null, 'media', (ok) => (granted = ok));
    expect(granted).toBe(false);
    expect(session.permissionCheckHandler!()).toBe(false);
    expect(session.deviceHandler!()).toBe(false);
  });

  it('recognizes only the app origin', () => {
    expect(isAppUrl('app://layerbench/x.js')).toBe(true);
    expect(isAppUrl('app://user@layerbench/x.js')).toBe(false);
    expect(isAppUrl('app://layerbench.evil/x.js')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });
});

describe('app:// protocol', () => {
  let root: string;
  let outside: string;

  beforeAll(() => {
    const base = mkdtempSync(path.join(os.tmpdir(), 'lb-proto-'));
    root = path.join(base, 'renderer');
    mkdirSync(path.join(root, 'assets'), { recursive: true });
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Layerbench</title>');
    writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
    outside = path.join(base, 'secret.txt');
    writeFileSync(outside, 'SECRET');
    symlinkSync(outside, path.join(root, 'assets', 'link.txt'));
  });

  it('serves the renderer files with a CSP and their MIME types', async () => {
    const index = await serveAppRequest(root, 'app://layerbench/index.html');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await index.text()).toContain('Layerbench');
    const js = await serveAppRequest(root, 'app://layerbench/assets/app.js');
    expect(js.headers.get('content-type')).toContain('text/javascript');
    expect((await serveAppRequest(root, 'app://layerbench/')).status).toBe(200);
  });

  it.each([
    'app://layerbench/../secret.txt',
    'app://layerbench/%2e%2e/secret.txt',
    'app://layerbench/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    'app://layerbench/..%5csecret.txt',
    'app://layerbench/assets/link.txt',
    'app://layerbench/%00index.html',
    'app://other/index.html',
    'app://layerbench/missing.js',
  ])('refuses %s', async (url) => {
    const res = await serveAppRequest(root, url);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(await res.text()).not.toContain('SECRET');
  });
});
