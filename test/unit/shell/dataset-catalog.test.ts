/**
 * The dataset catalog loads a dataset once however many requests ask for it at the same time (a cold server
 * answering a page's first dataset:list calls), and forgets a load that failed so the next request retries.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../../main/data/dataset.js';
import { DatasetCatalog, type DatasetLoad } from '../../../main/service/dataset-catalog.js';

function tinyDataset(id: string): Dataset {
  return {
    id,
    name: `${id} (test)`,
    inputShape: [2, 2, 1],
    classNames: ['a', 'b'],
    train: { images: new Uint8Array(8), labels: Uint16Array.from([0, 1]), count: 2 },
    source: 'test',
  };
}

/** A loader that counts its calls and finishes only when the test says so. */
function gatedLoader(outcomes: ('ok' | 'fail')[]) {
  const calls: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const load: DatasetLoad = async (ref) => {
    const outcome = outcomes[calls.length] ?? 'ok';
    calls.push(ref);
    await gate;
    if (outcome === 'fail') throw new Error(`cannot read ${ref}`);
    return tinyDataset(ref);
  };
  return { load, calls, release };
}

const catalogWith = (load: DatasetLoad) =>
  new DatasetCatalog(path.join(mkdtempSync(path.join(os.tmpdir(), 'lb-catalog-')), 'datasets.json'), () => {}, load);

describe('DatasetCatalog', () => {
  it('loads a bundled dataset once for 50 concurrent dataset lists', async () => {
    const loader = gatedLoader(['ok']);
    const catalog = catalogWith(loader.load);
    const lists = Array.from({ length: 50 }, () => catalog.list());
    loader.release();
    const answers = await Promise.all(lists);
    expect(loader.calls).toEqual(['mnist']);
    for (const datasets of answers) expect(datasets.map((d) => d.id)).toEqual(['mnist']);
  });

  it('shares one load between concurrent requests for the same dataset, and keeps it afterwards', async () => {
    const loader = gatedLoader(['ok']);
    const catalog = catalogWith(loader.load);
    const gets = [catalog.get('idx:/data/x'), catalog.get('idx:/data/x'), catalog.samples('idx:/data/x', 1, 'train', 0)];
    loader.release();
    const [a, b] = await Promise.all(gets);
    expect(a).toBe(b);
    expect(await catalog.get('idx:/data/x')).toBe(a);
    expect(loader.calls).toEqual(['idx:/data/x']);
  });

  it('does not keep a failed load: every waiting caller gets the error, the next request loads again', async () => {
    const loader = gatedLoader(['fail', 'ok']);
    const catalog = catalogWith(loader.load);
    const first = [catalog.list(), catalog.list()];
    loader.release();
    for (const r of await Promise.allSettled(first))
      expect(r).toMatchObject({ status: 'rejected', reason: { message: 'cannot read mnist' } });
    expect((await catalog.list()).map((d) => d.id)).toEqual(['mnist']);
    expect(loader.calls).toEqual(['mnist', 'mnist']);
  });
});
