// @ts-check
// Process, file and download helpers shared by the native setup's modules. Nothing runs at import time.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** A source could not provide a libtensorflow; the message is the reason shown in the failure report. */
export class SourceError extends Error {}

/**
 * @param {string} message
 * @returns {never}
 */
export function fail(message) {
  throw new SourceError(message);
}

/** @param {string} msg */
export const log = (msg) => console.log(`[native] ${msg}`);

/**
 * The last non-empty lines of a command's output, for an error message.
 * @param {unknown} text
 */
export function tail(text, lines = 12, chars = 1500) {
  const t = String(text || '')
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-lines)
    .join('\n');
  return t.length > chars ? '...' + t.slice(-chars) : t;
}

/**
 * @typedef {object} RunOptions
 * @property {string} [cwd]
 * @property {Record<string, string>} [env]  added to process.env
 * @property {number} [timeoutMs]
 */

/**
 * @typedef {object} RunResult
 * @property {boolean} ok
 * @property {number | null} status
 * @property {string} stdout
 * @property {string} stderr
 * @property {string} why  empty when ok, else what went wrong ("exit code 2", "timed out after 600 s")
 */

/**
 * Runs a command synchronously.
 * @param {string} cmd
 * @param {string[]} args
 * @param {RunOptions} [opts]
 * @returns {RunResult}
 */
export function run(cmd, args, opts = {}) {
  const timeoutMs = opts.timeoutMs || 10 * 60 * 1000;
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...(opts.env || {}) },
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 256 * 1024 * 1024,
  });
  let why = '';
  const err = /** @type {NodeJS.ErrnoException | undefined} */ (r.error);
  if (err) why = err.code === 'ETIMEDOUT' ? `timed out after ${timeoutMs / 1000} s` : err.message;
  else if (r.signal) why = `killed by ${r.signal}`;
  else if (r.status !== 0) why = `exit code ${r.status}`;
  return { ok: why === '', status: r.status, stdout: r.stdout || '', stderr: r.stderr || '', why };
}

/**
 * The full path of an executable on PATH, or undefined.
 * @param {string} cmd
 */
export function which(cmd) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** @param {string} p */
export const exists = (p) => fs.existsSync(p);
/** @param {string} p */
export const rm = (p) => fs.rmSync(p, { recursive: true, force: true });
/** @param {string} p */
export const mkdirp = (p) => fs.mkdirSync(p, { recursive: true });

/**
 * Hard-links a file (same file system, no extra disk), else copies it.
 * @param {string} src
 * @param {string} dest
 */
export function linkOrCopy(src, dest) {
  rm(dest);
  try {
    fs.linkSync(src, dest);
  } catch {
    fs.copyFileSync(src, dest);
  }
}

/**
 * Copies a tree, keeping symlinks as symlinks.
 * @param {string} src
 * @param {string} dest
 */
export function copyTree(src, dest) {
  mkdirp(dest);
  for (const ent of fs.readdirSync(src, { withFileTypes: true })) {
    const s = path.join(src, ent.name);
    const d = path.join(dest, ent.name);
    if (ent.isSymbolicLink()) {
      rm(d);
      fs.symlinkSync(fs.readlinkSync(s), d);
    } else if (ent.isDirectory()) {
      copyTree(s, d);
    } else {
      fs.copyFileSync(s, d);
    }
  }
}

/** @param {string} text */
export function shortHash(text) {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/**
 * The sha256 of a file, read as a stream (wheels are hundreds of MB).
 * @param {string} file
 * @returns {Promise<string>}
 */
export function sha256File(file) {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    fs.createReadStream(file)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/**
 * Reads a URL as text. curl when present, because it honours the proxy variables (Node's fetch does not).
 * @param {string} url
 * @param {Record<string, string>} [headers]
 * @returns {Promise<string>}
 */
export async function fetchText(url, headers = {}, timeoutS = 60) {
  if (which('curl')) {
    const h = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
    const r = run('curl', ['-fsSL', '--connect-timeout', '10', '--max-time', String(timeoutS), ...h, url], {
      timeoutMs: (timeoutS + 10) * 1000,
    });
    if (!r.ok) fail(`reading ${url} failed: ${tail(r.stderr, 2) || r.why}`);
    return r.stdout;
  }
  const res = await fetchOrFail(url, { headers, signal: AbortSignal.timeout(timeoutS * 1000) });
  return res.text();
}

/**
 * @param {string} url
 * @param {RequestInit} init
 */
async function fetchOrFail(url, init) {
  let res;
  try {
    res = await fetch(url, init);
  } catch (e) {
    const err = /** @type {Error & { cause?: { code?: string, message?: string } }} */ (e);
    fail(`reading ${url} failed: ${err.cause?.code || err.cause?.message || err.message}`);
  }
  if (!res.ok) fail(`reading ${url} failed: HTTP ${res.status}`);
  return res;
}

/**
 * Downloads url to dest atomically (a .part file renamed at the end), with curl when present.
 * @param {string} url
 * @param {string} dest
 */
export async function download(url, dest, maxTimeS = 900) {
  mkdirp(path.dirname(dest));
  const part = `${dest}.part`;
  rm(part);
  if (which('curl')) {
    const args = ['-fsSL', '--connect-timeout', '10', '--max-time', String(maxTimeS), '--speed-limit', '10240', '--speed-time', '30'];
    const r = run('curl', [...args, '-o', part, url], { timeoutMs: (maxTimeS + 30) * 1000 });
    if (!r.ok) {
      rm(part);
      fail(`download of ${url} failed: ${tail(r.stderr, 2) || r.why}`);
    }
  } else {
    const res = await fetchOrFail(url, { signal: AbortSignal.timeout(maxTimeS * 1000) });
    fs.writeFileSync(part, Buffer.from(await res.arrayBuffer()));
  }
  fs.renameSync(part, dest);
}
