/**
 * Browser mode: the token is required on every page, asset and WebSocket; a WebSocket from another origin is
 * refused; a Host header that is not this machine is refused; the server listens on loopback only; and the
 * contract works over the socket (request/response and pushed events).
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { TOKEN_COOKIE, type WsServerMessage } from '../../../common/contract.js';
import { serve, type Serving } from '../../../main/server/serve.js';
import { startHttpServer } from '../../../main/server/http-server.js';
import { downloadLinks } from '../../../main/service/downloads.js';
import { writeFixtureProcess } from './fixture-process.js';

let serving: Serving;
let base: string;
const token = 'test-token-0123456789abcdef';

function get(
  pathAndQuery: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${pathAndQuery}`, { headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a WebSocket; resolves with it when open, with the HTTP status when the upgrade is refused, or with
 * the close code when the server accepts the upgrade only to refuse it. */
function connect(query: string, headers: Record<string, string>): Promise<WebSocket | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/ws${query}`, { headers });
    let opened = false;
    ws.once('open', () => {
      opened = true;
      // A refused socket is closed at once; a served one stays open.
      setTimeout(() => resolve(ws), 100);
    });
    ws.once('close', (code) => opened && resolve(code));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(-1));
  });
}

function call(ws: WebSocket, id: number, channel: string, payload: unknown): Promise<WsServerMessage> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const msg = JSON.parse(data.toString()) as WsServerMessage;
      if ('id' in msg && msg.id === id) {
        ws.off('message', onMessage);
        resolve(msg);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, channel, payload }));
  });
}

beforeAll(async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'lb-serve-'));
  const rendererDir = path.join(root, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Layerbench</title>');
  serving = await serve({ port: 0, dataDir: path.join(root, 'data'), rendererDir, token, trainingEntry: writeFixtureProcess() });
  base = `http://127.0.0.1:${serving.server.port}`;
});

afterAll(async () => {
  await serving?.close();
});

describe('browser mode over HTTP', () => {
  it('listens on loopback only and prints the URL with its token', async () => {
    expect(serving.server.host).toBe('127.0.0.1');
    expect(serving.server.url).toBe(`${base}/?token=${token}`);
    await expect(
      startHttpServer({ port: 0, host: '0.0.0.0', rendererDir: '/x', token, handle: async () => ({ ok: true, value: null }) }),
    ).rejects.toThrow(/refusing to listen on 0\.0\.0\.0/);
  });

  it('refuses the page without the token or with a wrong one', async () => {
    expect((await get('/')).status).toBe(403);
    expect((await get('/?token=wrong')).status).toBe(403);
    expect((await get(`/?token=${token}x`)).status).toBe(403);
    expect((await get('/', { cookie: `${TOKEN_COOKIE}=nope` })).status).toBe(403);
  });

  it('serves the page with the token, sets the cookie, and accepts the cookie afterwards', async () => {
    const first = await get(`/?token=${token}`);
    expect(first.status).toBe(200);
    expect(first.body).toContain('Layerbench');
    expect(String(first.headers['content-security-policy'])).toContain("default-src 'self'");
    expect(String(first.headers['set-cookie'])).toContain('HttpOnly');
    expect((await get('/index.html', { cookie: `${TOKEN_COOKIE}=${token}` })).status).toBe(200);
  });

  it('refuses a Host header that does not name this machine (DNS rebinding)', async () => {
    expect((await get(`/?token=${token}`, { host: 'evil.example:80' })).status).toBe(403);
  });

  it('refuses traversal out of the renderer folder', async () => {
    expect((await get(`/%2e%2e/data/datasets.json?token=${token}`)).status).toBe(404);
  });
});

describe('browser mode downloads', () => {
  const cookie = { cookie: `${TOKEN_COOKIE}=${token}` };

  it('serves an exported or saved file as an attachment, with the token only', async () => {
    const { layout } = serving.service;
    mkdirSync(path.join(layout.exports, 'm-tfjs'), { recursive: true });
    const file = path.join(layout.exports, 'm-tfjs', 'model ä.json');
    writeFileSync(file, '{"format":"layers-model"}');
    const [link] = downloadLinks(layout, [file]);
    expect(link).toEqual({ name: 'model ä.json', href: '/download/exports/m-tfjs/model%20%C3%A4.json' });
    expect((await get(link.href)).status).toBe(403);
    const got = await get(link.href, cookie);
    expect(got.status).toBe(200);
    expect(got.body).toBe('{"format":"layers-model"}');
    expect(String(got.headers['content-disposition'])).toBe(`attachment; filename="model _.json"; filename*=UTF-8''model%20%C3%A4.json`);
    mkdirSync(layout.saved, { recursive: true });
    writeFileSync(path.join(layout.saved, 'w.bin'), 'abc');
    expect((await get('/download/saved/w.bin', cookie)).body).toBe('abc');
    // Files elsewhere in the data folder get no link.
    expect(downloadLinks(layout, [path.join(layout.runs, 'x', 'run.json')])).toEqual([]);
  });

  it('reaches nothing outside exports/ and saved/: traversal, other folders, links out, folders', async () => {
    const { layout } = serving.service;
    mkdirSync(layout.exports, { recursive: true });
    writeFileSync(path.join(layout.root, 'datasets.json'), '[]');
    symlinkSync(path.join(layout.root, 'datasets.json'), path.join(layout.exports, 'out.json'));
    for (const href of [
      '/download/exports/..%2Fdatasets.json',
      '/download/exports/%2e%2e/datasets.json',
      '/download/runs/x/run.json',
      '/download/exports/out.json',
      '/download/exports/m-tfjs',
      '/download/exports/',
      '/download/exports/%E0%A4%A',
      '/download/exports/a%00b',
    ]) {
      expect((await get(href, cookie)).status, href).toBe(404);
    }
  });
});

describe('browser mode over WebSocket', () => {
  const origin = () => ({ origin: base });

  it('refuses a socket without the token, with a wrong one, from another origin, or with no origin', async () => {
    // The app's own page with a bad token is told why (close code 4403) and served nothing.
    expect(await connect('', origin())).toBe(4403);
    expect(await connect('?token=wrong', origin())).toBe(4403);
    // Other origins and other hosts get no socket at all.
    expect(await connect(`?token=${token}`, { origin: 'http://evil.example' })).toBe(403);
    expect(await connect(`?token=${token}`, { origin: 'http://127.0.0.1:1' })).toBe(403);
    expect(await connect(`?token=${token}`, {})).toBe(403);
    expect(await connect(`?token=${token}`, { origin: 'http://evil.example', host: 'evil.example' })).toBe(403);
    // The cookie set with the page works for the socket too.
    const withCookie = await connect('', { ...origin(), cookie: `${TOKEN_COOKIE}=${token}` });
    expect(withCookie).toBeInstanceOf(WebSocket);
    (withCookie as WebSocket).close();
  });

  it('answers contract requests as Results and pushes events', async () => {
    const ws = await connect(`?token=${token}`, origin());
    expect(ws).toBeInstanceOf(WebSocket);
    const socket = ws as WebSocket;
    const info = await call(socket, 1, 'app:info', {});
    expect(info).toMatchObject({ id: 1, result: { ok: true, value: { mode: 'browser', backend: { detail: 'fixture backend' } } } });
    const bad = await call(socket, 2, 'runs:get', { runId: '../../etc' });
    expect(bad).toMatchObject({ id: 2, result: { ok: false, error: { code: 'INVALID_REQUEST' } } });
    const unknown = await call(socket, 3, 'shell:openExternal', { url: 'https://x' });
    expect(unknown).toMatchObject({ result: { ok: false, error: { code: 'UNKNOWN_CHANNEL' } } });

    const events: WsServerMessage[] = [];
    let exitSeen!: () => void;
    const exited = new Promise<void>((resolve) => (exitSeen = resolve));
    socket.on('message', (d: Buffer) => {
      const msg = JSON.parse(d.toString()) as WsServerMessage;
      events.push(msg);
      if ('event' in msg && msg.event === 'training:exit') exitSeen();
    });
    const start = await call(socket, 4, 'training:start', {
      experiment: {
        model: { inputShape: [28, 28, 1], layers: [{ type: 'Flatten' }, { type: 'Dense', units: 10, activation: 'softmax' }] },
      },
      datasetId: 'mnist',
      name: 'finish',
    });
    expect(start).toMatchObject({ result: { ok: true } });
    const runId = (start as { result: { value: { runId: string } } }).result.value.runId;
    await exited;
    expect(events.some((e) => 'event' in e && e.event === 'training:event')).toBe(true);
    expect(events.find((e) => 'event' in e && e.event === 'training:exit')).toMatchObject({ payload: { runId, reason: 'ended' } });
    const run = await call(socket, 5, 'runs:get', { runId });
    expect(run).toMatchObject({ result: { ok: true, value: { runId, epochsDone: 3, status: 'finished' } } });
    socket.close();
  });

  it('closes a socket that sends something other than a request envelope', async () => {
    const socket = (await connect(`?token=${token}`, origin())) as WebSocket;
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send('not json');
    expect(await closed).toBe(4400);
  });
});
