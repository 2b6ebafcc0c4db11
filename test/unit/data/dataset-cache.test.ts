/** The decoded-dataset cache stays under its size limit, least recently used first, and the CLI shows and clears it. */
import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../main/cli/main.js';
import {
  clearDatasetCache,
  datasetCacheDir,
  datasetCacheEntries,
  readCachedDataset,
  writeCachedDataset,
} from '../../../main/data/dataset-cache.js';
import type { Dataset } from '../../../main/data/dataset.js';
import { tempDir } from './fixtures.js';

const IMAGE = 32 * 32 * 3;

/** A dataset of `count` 32x32 RGB images: about count * 3 KB in the cache. */
function dataset(name: string, count: number): Dataset {
  const images = new Uint8Array(count * IMAGE).map((_, i) => (i * 7 + name.length) & 0xff);
  return {
    id: `folder:${name}`,
    name,
    inputShape: [32, 32, 3],
    classNames: ['a', 'b'],
    train: { images, labels: new Uint16Array(count).map((_, i) => i % 2), count },
    source: `/data/${name}`,
  };
}

const entryFiles = () => readdirSync(datasetCacheDir()).filter((f) => f.endsWith('.lbds'));
const ago = (file: string, seconds: number) => {
  const t = new Date(Date.now() - seconds * 1000);
  utimesSync(file, t, t);
};

let saved: string | undefined;
beforeEach(() => {
  process.env.XDG_CACHE_HOME = tempDir('lb-cache-');
  saved = process.env.LAYERBENCH_DATASET_CACHE_MB;
});
afterEach(() => {
  if (saved === undefined) delete process.env.LAYERBENCH_DATASET_CACHE_MB;
  else process.env.LAYERBENCH_DATASET_CACHE_MB = saved;
});

describe('decoded-dataset cache limit', () => {
  it('removes the least recently used entries past the limit; a hit counts as a use', async () => {
    // Each entry is about 0.3 MB; 0.7 MB holds two.
    process.env.LAYERBENCH_DATASET_CACHE_MB = '0.7';
    const a = await writeCachedDataset('a', dataset('a', 100));
    const b = await writeCachedDataset('b', dataset('b', 100));
    ago(a, 200);
    ago(b, 100);
    // Reading a makes it the most recently used: b is now the oldest.
    expect((await readCachedDataset('a'))?.train.count).toBe(100);
    const c = await writeCachedDataset('c', dataset('c', 100));
    expect(existsSync(b)).toBe(false);
    expect(existsSync(a)).toBe(true);
    expect(existsSync(c)).toBe(true);
    expect(await readCachedDataset('b')).toBeUndefined();
    // What is left still loads, byte for byte.
    expect(Buffer.from((await readCachedDataset('c'))!.train.images).equals(Buffer.from(dataset('c', 100).train.images))).toBe(true);
  });

  it('keeps the entry just written even when it alone is over the limit', async () => {
    process.env.LAYERBENCH_DATASET_CACHE_MB = '0';
    const old = await writeCachedDataset('old', dataset('old', 10));
    const big = await writeCachedDataset('big', dataset('big', 200));
    expect(existsSync(old)).toBe(false);
    expect(entryFiles()).toEqual([path.basename(big)]);
    expect((await readCachedDataset('big'))?.train.count).toBe(200);
  });

  it('removes temporary files a crashed import left over an hour ago, not one being written now', async () => {
    const first = await writeCachedDataset('first', dataset('first', 2));
    const stale = `${first}.saving-99999-1`;
    const fresh = `${first}.saving-99999-2`;
    writeFileSync(stale, 'half written');
    writeFileSync(fresh, 'being written');
    ago(stale, 2 * 3600);
    await writeCachedDataset('second', dataset('second', 2));
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
  });

  it('a limit that is not a number falls back to the default instead of emptying the cache', async () => {
    process.env.LAYERBENCH_DATASET_CACHE_MB = 'lots';
    await writeCachedDataset('one', dataset('one', 50));
    await writeCachedDataset('two', dataset('two', 50));
    expect(entryFiles()).toHaveLength(2);
  });
});

describe('layerbench dataset cache', () => {
  async function cli(args: string[]): Promise<{ code: number; out: string }> {
    let out = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    try {
      return { code: await main(args), out };
    } finally {
      o.mockRestore();
    }
  }

  it('lists the entries with their size and the limit, and --clear empties the cache', async () => {
    await writeCachedDataset('one', dataset('one', 100));
    await writeCachedDataset('two', dataset('two', 100));
    const shown = await cli(['dataset', 'cache']);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain(`Decoded-dataset cache: ${datasetCacheDir()}`);
    expect(shown.out).toMatch(/2 entries, 0\.6 MB of 5120 MB/);
    expect(shown.out).toMatch(/ 0\.3 MB {2}last used \S+ {2}one, from \/data\/one {2}\(one\.lbds\)/);
    const cleared = await cli(['dataset', 'cache', '--clear']);
    expect(cleared.code).toBe(0);
    expect(cleared.out).toMatch(/Removed 2 cached datasets \(0\.6 MB\)/);
    expect(await datasetCacheEntries()).toEqual([]);
    expect(await clearDatasetCache()).toEqual({ entries: 0, bytes: 0 });
  });
});
