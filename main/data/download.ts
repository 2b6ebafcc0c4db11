/**
 * Downloads a dataset archive for users who are online, checking its MD5 against the published value. The
 * data goes to `<dest>.part` and is renamed only once the checksum matches, so a cut connection or a wrong
 * file never leaves something that looks complete. An existing file at `dest` is never overwritten.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
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
  await mkdir(path.dirname(dest), { recursive: true });
  const part = `${dest}.part`;
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
    await pipeline(response, createWriteStream(part), { signal: options.signal });
  } catch (e) {
    await rm(part, { force: true });
    const err = e as NodeJS.ErrnoException;
    if (err.name === 'AbortError') throw new DatasetError(`${url}: download stopped`, dest);
    throw new DatasetError(`${url}: the download failed after ${done} bytes (${err.code ?? err.message})`, dest);
  }
  if (total > 0 && done !== total) {
    await rm(part, { force: true });
    throw new DatasetError(`${url}: the download ended after ${done} of ${total} bytes`, dest);
  }
  const sum = hash.digest('hex');
  if (sum !== options.md5) {
    await rm(part, { force: true });
    throw new DatasetError(
      `${url}: checksum mismatch: the downloaded file's MD5 is ${sum}, expected ${options.md5}; the file was discarded`,
      dest,
    );
  }
  await rename(part, dest);
  return { file: dest, bytes: done, alreadyThere: false };
}
