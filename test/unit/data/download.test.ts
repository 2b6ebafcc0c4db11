import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CIFAR10_DOWNLOAD, downloadVerified } from '../../../main/data/download.js';
import { loadDataset } from '../../../main/data/registry.js';
import { cifarBytes, tarGz, tempDir } from './fixtures.js';

// Only a local server on 127.0.0.1: the tests never reach the internet.
const archive = tarGz([{ name: 'cifar-10-batches-bin/data_batch_1.bin', data: cifarBytes(Array.from({ length: 10 }, (_, i) => [i])) }]);
const md5 = createHash('md5').update(archive).digest('hex');
let server: http.Server;
let base = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/moved') {
      res.writeHead(302, { location: '/cifar-10-binary.tar.gz' });
      return res.end();
    }
    if (req.url === '/cut') {
      res.writeHead(200, { 'content-length': String(archive.length) });
      res.write(archive.subarray(0, 100));
      // Cut mid-transfer, after the client has the headers and the first bytes.
      setTimeout(() => res.destroy(), 50);
      return;
    }
    if (req.url !== '/cifar-10-binary.tar.gz') {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { 'content-length': String(archive.length) });
    res.end(archive);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('dataset download', () => {
  it('knows the official CIFAR-10 address and checksum', () => {
    expect(CIFAR10_DOWNLOAD.url).toBe('https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz');
    expect(CIFAR10_DOWNLOAD.md5).toBe('c58f30108f718f92721af3b95e74349a');
  });

  it('downloads through a redirect with progress, verifies MD5, and the archive loads', async () => {
    const dest = path.join(tempDir(), 'sub', CIFAR10_DOWNLOAD.file);
    const progress: number[] = [];
    const result = await downloadVerified(`${base}/moved`, dest, { md5, onProgress: (done, total) => progress.push(done / total) });
    expect(result).toEqual({ file: dest, bytes: archive.length, alreadyThere: false });
    expect(progress.at(-1)).toBe(1);
    expect(readFileSync(dest).equals(archive)).toBe(true);
    expect((await loadDataset(`cifar10:${dest}`)).train.count).toBe(10);
    const again = await downloadVerified(`${base}/cifar-10-binary.tar.gz`, dest, { md5 });
    expect(again.alreadyThere).toBe(true);
  });

  it('a checksum mismatch discards the download and leaves nothing behind', async () => {
    const dir = tempDir();
    const dest = path.join(dir, CIFAR10_DOWNLOAD.file);
    await expect(downloadVerified(`${base}/cifar-10-binary.tar.gz`, dest, { md5: CIFAR10_DOWNLOAD.md5 })).rejects.toThrow(
      new RegExp(`checksum mismatch: the downloaded file's MD5 is ${md5}, expected c58f30108f718f92721af3b95e74349a`),
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a cut connection, a 404 and a closed port fail clearly; an existing different file is left alone', async () => {
    const dir = tempDir();
    const dest = path.join(dir, 'a.tar.gz');
    await expect(downloadVerified(`${base}/cut`, dest, { md5 })).rejects.toThrow(/the download failed after 100 bytes \(ECONNRESET\)/);
    expect(readdirSync(dir)).toEqual([]);
    await expect(downloadVerified(`${base}/missing`, dest, { md5 })).rejects.toThrow(/the server answered 404/);
    await expect(downloadVerified('http://127.0.0.1:1/x', dest, { md5 })).rejects.toThrow(/cannot download \(ECONNREFUSED\)/);
    writeFileSync(dest, 'mine');
    await expect(downloadVerified(`${base}/cifar-10-binary.tar.gz`, dest, { md5 })).rejects.toThrow(
      /a file is already there .* left as it is/,
    );
    expect(readFileSync(dest, 'utf8')).toBe('mine');
  });
});
