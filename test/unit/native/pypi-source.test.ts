// The PyPI source with a fake network and a temporary cache: which URL it asks, which wheel it downloads,
// the sha256 check, and that a fitting wheel already in the cache needs no network.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../../scripts/native/lib/shell.mjs';
import type { SourceContext } from '../../../scripts/native/lib/sources/context.mjs';
import { pypiSource } from '../../../scripts/native/lib/sources/pypi.mjs';

const WHEEL_BYTES = 'not really a wheel';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let cacheRoot: string;
beforeEach(() => {
  cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'layerbench-native-'));
});
afterEach(() => fs.rmSync(cacheRoot, { recursive: true, force: true }));

function context(glibc: string | undefined, env: NodeJS.ProcessEnv = {}): SourceContext {
  return { cacheRoot, env, platform: 'linux', arch: 'x64', glibc, tfjsNodeDir: '/nowhere' };
}

/** An unpacked wheel as an earlier run leaves it, so the source does not need a real zip. */
function preExtracted(stem: string) {
  const root = path.join(cacheRoot, 'pypi', stem);
  fs.mkdirSync(path.join(root, 'lib'), { recursive: true });
  fs.writeFileSync(path.join(root, '.complete'), '');
  return root;
}

function fakeNet(index: unknown, bytes = WHEEL_BYTES) {
  const asked: { url: string; headers: Record<string, string> }[] = [];
  const downloaded: string[] = [];
  return {
    asked,
    downloaded,
    net: {
      fetchText: async (url: string, headers: Record<string, string>) => {
        asked.push({ url, headers });
        return JSON.stringify(index);
      },
      download: async (url: string, dest: string) => {
        downloaded.push(url);
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.writeFileSync(dest, bytes);
      },
      sha256File: async (file: string) => sha256(fs.readFileSync(file, 'utf8')),
    },
  };
}

const stem = 'tensorflow_cpu-2.21.0-cp312-cp312-manylinux_2_27_x86_64';
const index = {
  meta: { 'api-version': '1.1' },
  files: [
    { filename: `${stem}.whl`, url: `../../packages/${stem}.whl`, hashes: { sha256: sha256(WHEEL_BYTES) } },
    { filename: 'tensorflow_cpu-2.21.0-cp312-cp312-win_amd64.whl', url: 'https://files.example/win.whl', hashes: {} },
  ],
};

describe('PyPI source', () => {
  it('asks the JSON simple index and downloads the wheel that fits this machine', async () => {
    const root = preExtracted(stem);
    const { net, asked, downloaded } = fakeNet(index);
    const staged = await pypiSource(context('2.36', { LAYERBENCH_PYPI_INDEX: 'https://mirror.example/pypi/simple' }), net).stage();
    expect(asked).toEqual([
      { url: 'https://mirror.example/pypi/simple/tensorflow-cpu/', headers: { Accept: 'application/vnd.pypi.simple.v1+json' } },
    ]);
    expect(downloaded).toEqual([`https://mirror.example/pypi/packages/${stem}.whl`]);
    expect(staged.libDir).toBe(path.join(root, 'lib'));
    expect(staged.detail).toContain(`${stem}.whl`);
  });

  it('fails naming the offered platforms when no wheel fits the glibc', async () => {
    const { net, downloaded } = fakeNet(index);
    const stage = pypiSource(context('2.17'), net).stage();
    await expect(stage).rejects.toBeInstanceOf(SourceError);
    await expect(stage).rejects.toThrow(
      'tensorflow-cpu==2.21.0 on https://pypi.org/simple/tensorflow-cpu/ has no wheel for x86_64 with glibc 2.17 (offered: manylinux_2_27_x86_64, win_amd64)',
    );
    expect(downloaded).toEqual([]);
  });

  it('removes a download whose sha256 differs from the index', async () => {
    const { net } = fakeNet(index, 'tampered');
    await expect(pypiSource(context('2.36'), net).stage()).rejects.toThrow(/sha256 .* differs from the index's/);
    expect(fs.existsSync(path.join(cacheRoot, 'pypi', `${stem}.whl`))).toBe(false);
  });

  it('uses a fitting wheel already in the cache without the network', async () => {
    const cachedStem = 'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64';
    const root = preExtracted(cachedStem);
    fs.writeFileSync(path.join(cacheRoot, 'pypi', `${cachedStem}.whl`), WHEEL_BYTES);
    const offline = {
      fetchText: async () => Promise.reject(new Error('network used')),
      download: async () => Promise.reject(new Error('network used')),
      sha256File: async () => Promise.reject(new Error('network used')),
    };
    expect((await pypiSource(context('2.36'), offline).stage()).libDir).toBe(path.join(root, 'lib'));
  });

  it('needs glibc', async () => {
    const { net } = fakeNet(index);
    await expect(pypiSource(context(undefined), net).stage()).rejects.toThrow('has no glibc');
  });

  it('says so when the index does not answer with JSON', async () => {
    const net = { ...fakeNet(index).net, fetchText: async () => '<html><body>simple</body></html>' };
    await expect(pypiSource(context('2.36'), net).stage()).rejects.toThrow('did not answer with the JSON simple index');
  });
});
