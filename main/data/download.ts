/**
 * Downloads a dataset archive for users who are online, checking its MD5 against the published value. The
 * data goes to a temporary name beside `dest` (platform/replace-file) and is renamed only once the checksum
 * matches, so a cut connection or a wrong
 * file never leaves something that looks complete. An existing file at `dest` is never overwritten.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { describeFileError, ReplaceError, replaceWith } from '../platform/replace-file.js';
import http from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';
import { DatasetError } from './dataset.js';

export const CIFAR10_DOWNLOAD = {
  url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
  file: 'cifar-10-binary.tar.gz',
  md5: 'c58f30108f718f92721af3b95e74349a',
};

export interface DownloadOptions {
  md5: string;
  /** Bytes so far and in all (total 0 when the server does not say). */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface DownloadResult {
  file: string;
  bytes: number;
  /** True when `dest` already held the file with the right checksum. */
  alreadyThere: boolean;
}

async function md5Of(file: string): Promise<string> {
  const hash = createHash('md5');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

function get(url: string, signal: AbortSignal | undefined, redirects = 5): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : url.startsWith('http:') ? http : undefined;
    if (!client) return reject(new DatasetError(`${url}: only http and https addresses can be downloaded`));
    const request = client.get(url, { signal }, (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location) {
        response.resume();
        if (redirects === 0) return reject(new DatasetError(`${url}: too many redirects`));
        return resolve(get(new URL(response.headers.location, url).toString(), signal, redirects - 1));
      }
      if (status !== 200) {
        response.resume();
        return reject(new DatasetError(`${url}: the server answered ${status} ${response.statusMessage ?? ''}`.trim()));
      }
      resolve(response);
    });
    request.on('error', (e: NodeJS.ErrnoException) =>
      reject(new DatasetError(`${url}: cannot download (${e.code ?? e.message}); offline, point at a copy of the file instead`)),
    );
  });
}

export async function downloadVerified(url: string, dest: string, options: DownloadOptions): Promise<DownloadResult> {
  const existing = await stat(dest).catch(() => undefined);
  if (existing) {
    const sum = await md5Of(dest);
    if (sum === options.md5) return { file: dest, bytes: existing.size, alreadyThere: true };
    throw new DatasetError(
      `${dest}: a file is already there and its MD5 is ${sum}, not ${options.md5}; move it away (it is left as it is)`,
      dest,
    );
  }
  let done = 0;
  try {
    await replaceWith(dest, async (part) => {
      done = await fetchVerified(url, part, dest, options);
    });
  } catch (e) {
    if (e instanceof ReplaceError && e.cause instanceof DatasetError) throw e.cause;
    throw new DatasetError(`${url}: cannot save the download: ${(e as Error).message}`, dest);
  }
  return { file: dest, bytes: done, alreadyThere: false };
}

/** Streams `url` into `file` (on its way to `dest`) and checks its length and MD5; returns the bytes received. */
async function fetchVerified(url: string, file: string, dest: string, options: DownloadOptions): Promise<number> {
  const response = await get(url, options.signal);
  const total = Number(response.headers['content-length'] ?? 0);
  const hash = createHash('md5');
  let done = 0;
  response.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    done += chunk.length;
    options.onProgress?.(done, total);
  });
  try {
    await pipeline(response, createWriteStream(file), { signal: options.signal });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.name === 'AbortError') throw new DatasetError(`${url}: download stopped`, dest);
    // A full disk is the user's to fix; a network error is named by its code.
    const why = err.code === 'ENOSPC' || err.code === 'EIO' ? describeFileError(err) : (err.code ?? err.message);
    throw new DatasetError(`${url}: the download failed after ${done} bytes (${why})`, dest);
  }
  if (total > 0 && done !== total) throw new DatasetError(`${url}: the download ended after ${done} of ${total} bytes`, dest);
  const sum = hash.digest('hex');
  if (sum !== options.md5) {
    throw new DatasetError(
      `${url}: checksum mismatch: the downloaded file's MD5 is ${sum}, expected ${options.md5}; the file was discarded`,
      dest,
    );
  }
  return done;
}
