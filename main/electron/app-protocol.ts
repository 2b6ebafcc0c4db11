/**
 * The `app://layerbench/` protocol: the renderer is served from dist/renderer through it (not file://), so it
 * has a real origin for the CSP and can reach no file outside that folder.
 */
import { readFile } from 'node:fs/promises';
import type { Protocol } from 'electron';
import { contentSecurityPolicy, mimeType, resolveStaticFile } from '../service/static-files.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'layerbench';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** Must be passed to `protocol.registerSchemesAsPrivileged` before the app is ready. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, allowServiceWorkers: false, corsEnabled: false, stream: true },
};

/** Answers one request: the file, or 404 for anything outside the renderer folder or another host. */
export async function serveAppRequest(rendererDir: string, requestUrl: string): Promise<Response> {
  const headers = { 'Content-Security-Policy': contentSecurityPolicy(), 'X-Content-Type-Options': 'nosniff' };
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return new Response('bad request', { status: 400, headers });
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return new Response('not found', { status: 404, headers });
  // `new URL` already resolves `..` in the path; resolveStaticFile refuses encoded forms of it too.
  const rawPath = requestUrl.slice(`${APP_ORIGIN}`.length).split(/[?#]/)[0] || '/';
  const file = await resolveStaticFile(rendererDir, rawPath);
  if (!file) return new Response('not found', { status: 404, headers });
  const body = await readFile(file);
  return new Response(new Uint8Array(body), { status: 200, headers: { ...headers, 'Content-Type': mimeType(file) } });
}

export function registerAppProtocol(protocol: Protocol, rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(rendererDir, request.url));
}
