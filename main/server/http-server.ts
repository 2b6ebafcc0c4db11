/**
 * Browser mode's transport: an HTTP server on loopback that serves the renderer build and a WebSocket
 * speaking the contract (`{ id, channel, payload }` -> `{ id, result }`, events as `{ event, payload }`).
 * Every page, asset and socket needs the per-launch token (from the URL, then from the cookie it sets).
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  DOWNLOAD_PATH,
  TOKEN_COOKIE,
  TOKEN_PARAM,
  WS_CLOSE,
  WS_MAX_MESSAGE_BYTES,
  WS_PATH,
  fail,
  type EventName,
  type Events,
  type Result,
} from '../../common/contract.js';
import { tooDeepAt, tooDeepMessage } from '../../common/json-depth.js';
import { contentSecurityPolicy, mimeType, resolveStaticFile } from '../service/static-files.js';
import { isLoopbackHost, isSameOrigin, loopbackPeer, requestUrl, tokenSource } from './guards.js';

export const LOOPBACK_HOSTS = ['127.0.0.1', '::1', 'localhost'] as const;

export interface HttpServerOptions {
  port: number;
  host?: string;
  rendererDir: string;
  token: string;
  handle(channel: unknown, payload: unknown): Promise<Result<unknown>>;
  /** The file a download path (under DOWNLOAD_PATH) names, or null; absent: no downloads. */
  resolveDownload?(urlPath: string): Promise<string | null>;
}

export interface RunningServer {
  url: string;
  port: number;
  host: string;
  broadcast<E extends EventName>(event: E, payload: Events[E]): void;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'Content-Security-Policy': contentSecurityPolicy(),
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // The token is in the page URL: never send it onward in a Referer.
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(message + '\n');
}

async function serveHttp(options: HttpServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!loopbackPeer(req) || !isLoopbackHost(req.headers.host)) return refuse(res, 403, 'forbidden: this server answers only this machine');
  if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'method not allowed');
  const source = tokenSource(req, options.token);
  if (!source) return refuse(res, 403, 'forbidden: open the URL that `layerbench serve` printed (it carries the access token)');
  const pathname = (req.url ?? '/').split('?')[0];
  if (pathname.startsWith(DOWNLOAD_PATH)) return serveDownload(options, req, res, pathname);
  const file = await resolveStaticFile(options.rendererDir, pathname);
  if (!file) {
    const built = await resolveStaticFile(options.rendererDir, '/index.html');
    return built
      ? refuse(res, 404, 'not found')
      : refuse(res, 503, `the UI is not built (${options.rendererDir} is missing): run \`npm run build\``);
  }
  const headers: Record<string, string> = { ...SECURITY_HEADERS, 'Content-Type': mimeType(file) };
  if (source === 'query') headers['Set-Cookie'] = `${TOKEN_COOKIE}=${options.token}; HttpOnly; SameSite=Strict; Path=/`;
  const body = await readFile(file);
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

async function serveDownload(options: HttpServerOptions, req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
  const file = await options.resolveDownload?.(pathname);
  if (!file) return refuse(res, 404, 'not found: nothing to download there');
  const size = (await stat(file)).size;
  // RFC 6266: an ASCII fallback name plus the UTF-8 one, so any file name downloads under its own name.
  const name = path.basename(file);
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/octet-stream',
    'Content-Length': String(size),
    'Content-Disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`,
  });
  if (req.method === 'HEAD') return void res.end();
  await pipeline(createReadStream(file), res);
}

type Envelope = { id: number; channel: unknown; payload: unknown; tooDeep: (string | number)[] | null };

function parseEnvelope(data: string): Envelope | null {
  let msg: unknown;
  try {
    msg = JSON.parse(data);
  } catch {
    return null;
  }
  if (!msg || typeof msg !== 'object') return null;
  const { id, channel, payload } = msg as Record<string, unknown>;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return null;
  // The whole message, channel included: the service quotes an unknown channel back in its answer.
  return { id, channel, payload, tooDeep: tooDeepAt(msg) };
}

/** The answer to one request as text. Serializing happens here, inside the error handling, so nothing a handler
 * returns (a value too deep or too large to stringify) can escape as an unhandled rejection. */
async function answer(options: HttpServerOptions, envelope: Envelope): Promise<string> {
  const reply = (result: Result<unknown>) => JSON.stringify({ id: envelope.id, result });
  if (envelope.tooDeep) return reply(fail('INVALID_REQUEST', tooDeepMessage('the request', envelope.tooDeep)));
  try {
    return reply(await options.handle(envelope.channel, envelope.payload));
  } catch (e) {
    const channel = typeof envelope.channel === 'string' ? envelope.channel.slice(0, 100) : 'request';
    return reply(fail('INTERNAL', `${channel}: ${(e as Error).message}`));
  }
}

/** Malformed frames (bad UTF-8, reserved opcodes or bits, unmasked, over maxPayload) arrive as an 'error' on
 * that socket: ws has already sent the close code (1002, 1007, 1009) and closes it; only it ends. */
function ignoreSocketError(): void {}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  if (!(LOOPBACK_HOSTS as readonly string[]).includes(host))
    throw new Error(`refusing to listen on ${host}: browser mode serves this machine only (127.0.0.1)`);
  const clients = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_MESSAGE_BYTES });
  const server = createServer((req, res) => {
    serveHttp(options, req, res).catch((e: unknown) => {
      // A download cut off halfway (the file removed, a read error) has sent its headers already.
      if (res.headersSent) res.destroy();
      else refuse(res, 500, `error: ${(e as Error).message}`);
    });
  });

  server.on('upgrade', (req, socket, head) => {
    // A peer that resets the connection before or during the handshake ends only its own socket.
    socket.on('error', () => socket.destroy());
    const url = requestUrl(req);
    // Requests from another site's page or another machine get nothing at all.
    if (url?.pathname !== WS_PATH || !loopbackPeer(req) || !isLoopbackHost(req.headers.host) || !isSameOrigin(req)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    // The app's own page with a missing or stale token: told so with a close code it can show, and never served.
    if (tokenSource(req, options.token) === null) {
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('error', ignoreSocketError);
        ws.close(WS_CLOSE.forbidden, 'access token missing or wrong');
      });
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('error', ignoreSocketError);
      ws.on('close', () => clients.delete(ws));
      ws.on('message', (data, isBinary) => {
        const envelope = isBinary ? null : parseEnvelope(data.toString());
        if (!envelope) {
          ws.close(WS_CLOSE.protocolError, 'expected {"id": number, "channel": string, "payload": ...}');
          return;
        }
        void answer(options, envelope).then((text) => {
          if (ws.readyState === ws.OPEN) ws.send(text);
        });
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host === '::1' ? '[::1]' : host;
  return {
    url: `http://${shown}:${port}/?${TOKEN_PARAM}=${options.token}`,
    port,
    host,
    broadcast(event, payload) {
      const text = JSON.stringify({ event, payload });
      for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text);
    },
    async close() {
      for (const ws of clients) ws.terminate();
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Kept-alive page connections would otherwise hold the close open until the browser lets go.
      server.closeAllConnections();
      await closed;
    },
  };
}
