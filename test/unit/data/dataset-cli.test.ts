import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it, vi } from 'vitest';
import { datasetCommand } from '../../../main/cli/dataset-command.js';
import { CliError } from '../../../main/cli/exit-codes.js';
import { cifarBytes, tarGz, tempDir } from './fixtures.js';

/** Runs `layerbench dataset ...` as main.ts does (CliError -> message on stderr and its exit code). */
async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const [, ...rest] = args;
    const values: Record<string, string> = {};
    const positionals: string[] = [];
    for (let i = 0; i < rest.length; i++) {
      if (rest[i].startsWith('--')) values[rest[i].slice(2)] = rest[++i];
      else positionals.push(rest[i]);
    }
    try {
      return { code: await datasetCommand.run(positionals, values), out, err };
    } catch (x) {
      if (!(x instanceof CliError)) throw x;
      return { code: x.exitCode, out, err: err + x.message };
    }
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('layerbench dataset', () => {
  it('is registered with the CLI and inspects the bundled MNIST', async () => {
    const { main } = await import('../../../main/cli/main.js');
    let out = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    try {
      expect(await main(['dataset', 'inspect', 'mnist'])).toBe(0);
    } finally {
      o.mockRestore();
    }
    expect(out).toMatch(/Images: {2}28x28x1 \(grayscale\), uint8: 784 bytes each/);
    expect(out).toMatch(/\n {2}7 +1070\n/);
  });

  it('inspect prints classes, counts, size, memory and skipped files', async () => {
    process.env.XDG_CACHE_HOME = tempDir('lb-cache-');
    const root = tempDir();
    for (const [cls, n] of [
      ['cat', 3],
      ['dog', 2],
    ] as const) {
      mkdirSync(path.join(root, cls));
      for (let i = 0; i < n; i++) {
        const img = sharp({ create: { width: 8, height: 6, channels: 3, background: { r: i * 40, g: 0, b: 0 } } });
        writeFileSync(path.join(root, cls, `${i}.png`), await img.png().toBuffer());
      }
    }
    writeFileSync(path.join(root, 'dog', 'broken.png'), '');
    const { code, out } = await run(['dataset', 'inspect', `folder:${root}`]);
    expect(code).toBe(0);
    expect(out).toMatch(/Images: {2}6x8x3 \(RGB\), uint8: 144 bytes each/);
    expect(out).toMatch(/cat\s+3\n/);
    expect(out).toMatch(/dog\s+2\n/);
    expect(out).toMatch(/Skipped: 1 file\n\s+1 x empty file \(0 bytes\)/);
    expect(out).toContain(path.join(root, 'dog', 'broken.png'));
  });

  it('inspect reports a bad dataset with exit code 3 and the file', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'data_batch_1.bin'), cifarBytes([[1], [2]]).subarray(0, 4000));
    const { code, err } = await run(['dataset', 'inspect', `cifar10:${dir}`]);
    expect(code).toBe(3);
    expect(err).toContain(`dataset error: ${path.join(dir, 'data_batch_1.bin')}: the batch file is truncated: record 1`);
  });

  it('inspect refuses a device with exit code 3 and no stack trace, without reading it', async () => {
    const { main } = await import('../../../main/cli/main.js');
    for (const ref of ['idx:/dev/zero', 'cifar10:/dev/zero']) {
      let err = '';
      const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
      try {
        expect(await main(['dataset', 'inspect', ref])).toBe(3);
      } finally {
        e.mockRestore();
      }
      expect(err).toMatch(/^layerbench: dataset error: \/dev\/zero: not a regular file or folder \(a device, pipe or socket\)/);
      expect(err).not.toMatch(/unexpected error|\n {4}at /);
    }
  });

  it('download cifar10 from a local mirror verifies the checksum', async () => {
    const archive = tarGz([{ name: 'cifar-10-batches-bin/test_batch.bin', data: cifarBytes([[1]]) }]);
    const server = http.createServer((_req, res) => res.end(archive));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cifar-10-binary.tar.gz`;
    try {
      const out = tempDir();
      const md5 = createHash('md5').update(archive).digest('hex');
      const ok = await run(['dataset', 'download', 'cifar10', '--out', out, '--url', url, '--md5', md5]);
      expect(ok.code).toBe(0);
      expect(ok.out).toContain(`MD5 ${md5} verified`);
      const bad = await run(['dataset', 'download', 'cifar10', '--out', tempDir(), '--url', url]);
      expect(bad.code).toBe(3);
      expect(bad.err).toMatch(/checksum mismatch/);
    } finally {
      server.close();
    }
    expect((await run(['dataset', 'download', 'mnist', '--out', '/tmp'])).code).toBe(2);
  });
});
