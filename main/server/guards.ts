/**
 * The checks every browser-mode request passes: loopback peer, a loopback Host header (against DNS
 * rebinding), a same-origin Origin for WebSockets (against other sites' pages), and the per-launch token.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { TOKEN_COOKIE, TOKEN_PARAM } from '../../common/contract.js';

export function newToken(): string {
  return randomBytes(24).toString('hex');
}

const LOOPBACK_ADDRESSES = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const LOOPBACK_HOSTNAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function isLoopbackAddress(address: string | undefined): boolean {
  return address !== undefined && (LOOPBACK_ADDRESSES.has(address) || /^127\.\d+\.\d+\.\d+$/.test(address));
}

/** The Host header names this machine (any port: an SSH tunnel may forward another local port to it). */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  return LOOPBACK_HOSTNAMES.has(name.toLowerCase());
}

/** A WebSocket must come from a page served by this server: Origin is exactly http://<Host>. */
export function isSameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  const host = req.headers.host;
  return typeof origin === 'string' && typeof host === 'string' && origin.toLowerCase() === `http://${host.toLowerCase()}`;
}

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

export type TokenSource = 'query' | 'cookie' | null;

/** The request's URL, or null when its target is not one (`//[`): such a request is refused, never thrown on. */
export function requestUrl(req: IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? '/', 'http://127.0.0.1');
  } catch {
    return null;
  }
}

/** Where a valid token came from, or null when the request has none that matches. */
export function tokenSource(req: IncomingMessage, token: string): TokenSource {
  const url = requestUrl(req);
  if (!url) return null;
  if (sameToken(url.searchParams.get(TOKEN_PARAM) ?? undefined, token)) return 'query';
  if (sameToken(cookieValue(req, TOKEN_COOKIE), token)) return 'cookie';
  return null;
}

export function loopbackPeer(req: IncomingMessage): boolean {
  return isLoopbackAddress(req.socket.remoteAddress);
}
