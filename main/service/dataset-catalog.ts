/**
 * The datasets the UI may train on: the bundled ones and those the user imported (remembered in the data
 * folder's datasets.json). Training requests may only name a dataset listed here, so a dataset id can never
 * smuggle in a path the user did not pick.
 */
import { readFile } from 'node:fs/promises';
import { replaceFile } from '../platform/replace-file.js';
import sharp from 'sharp';
import type { DatasetInfo, DatasetKind, DatasetSample, Events } from '../../common/contract.js';
import { mulberry32 } from '../../common/random.js';
import type { Dataset } from '../data/dataset.js';
import { BUNDLED_DATASETS, loadDataset, type LoadOptions } from '../data/registry.js';
import type { Emit } from '../host/protocol.js';

export type DatasetLoad = (ref: string, options?: Omit<LoadOptions, 'fragment'>) => Promise<Dataset>;

function infoOf(ds: Dataset, kind: DatasetInfo['kind']): DatasetInfo {
  return {
    id: ds.id,
    name: ds.name,
    kind,
    inputShape: ds.inputShape,
    classNames: ds.classNames,
    trainCount: ds.train.count,
    testCount: ds.test?.count ?? 0,
    source: ds.source,
    classCounts: ds.report?.countsPerClass ?? countPerClass(ds),
    ...(ds.report ? { skipped: ds.report.skipped, skippedCount: ds.report.skippedCount } : {}),
  };
}

function countPerClass(ds: Dataset): number[] {
  const counts = new Array<number>(ds.classNames.length).fill(0);
  for (let i = 0; i < ds.train.count; i++) counts[ds.train.labels[i]]++;
  return counts;
}

export class DatasetCatalog {
  /** The last dataset loaded, kept because sample grids and imports ask for the same one repeatedly. */
  private cached: Dataset | null = null;
  private readonly loading = new Map<string, Promise<Dataset>>();
  private bundledInfo = new Map<string, DatasetInfo>();
  /** The import in progress (imports run in this process, one at a time), to cancel it. */
  private importing: AbortController | null = null;

  constructor(
    private readonly file: string,
    private readonly emit: Emit,
    private readonly load: DatasetLoad = loadDataset,
  ) {}

  async imported(): Promise<DatasetInfo[]> {
    try {
      const list = JSON.parse(await readFile(this.file, 'utf8')) as unknown;
      return Array.isArray(list) ? (list as DatasetInfo[]) : [];
    } catch {
      return [];
    }
  }

  async list(): Promise<DatasetInfo[]> {
    const bundled: DatasetInfo[] = [];
    for (const id of BUNDLED_DATASETS) {
      let info = this.bundledInfo.get(id);
      if (!info) {
        info = infoOf(await this.get(id), 'bundled');
        this.bundledInfo.set(id, info);
      }
      bundled.push(info);
    }
    return [...bundled, ...(await this.imported())];
  }

  /** The description of a listed dataset without loading its pixels (imported ones are described on disk). */
  async info(id: string): Promise<DatasetInfo | null> {
    return (await this.list()).find((d) => d.id === id) ?? null;
  }

  async isKnown(id: string): Promise<boolean> {
    if ((BUNDLED_DATASETS as readonly string[]).includes(id)) return true;
    return (await this.imported()).some((d) => d.id === id);
  }

  /**
   * Concurrent requests for a dataset share one load (a page's first requests all ask for MNIST at once); a
   * failed load is forgotten, so the next request tries again. Only the first caller's options (progress,
   * cancel signal) apply to the shared load.
   */
  get(id: string, options: Omit<LoadOptions, 'fragment'> = {}): Promise<Dataset> {
    if (this.cached?.id === id) return Promise.resolve(this.cached);
    const loading = this.loading.get(id);
    if (loading) return loading;
    this.cached = null;
    const load = this.load(id, options)
      .then((ds) => {
        this.cached = ds;
        return ds;
      })
      .finally(() => this.loading.delete(id));
    this.loading.set(id, load);
    return load;
  }

  get busy(): boolean {
    return this.importing !== null;
  }

  /** Stops the import in progress at its next file; false when none runs. */
  cancelImport(): boolean {
    if (!this.importing) return false;
    this.importing.abort();
    return true;
  }

  /**
   * Loads `kind:path[#options]` (reporting progress), remembers it, and answers its description, or null
   * when `cancelImport` stopped it. The caller checks `busy` first: one import at a time.
   */
  async import(kind: DatasetKind, location: string, options?: string): Promise<DatasetInfo | null> {
    const ref = `${kind}:${location}${options ? `#${options}` : ''}`;
    const progress = (phase: Events['dataset:progress']['phase'], done: number, total: number | null, message?: string) =>
      this.emit('dataset:progress', { kind, source: location, phase, done, total, ...(message ? { message } : {}) });
    const controller = new AbortController();
    this.importing = controller;
    progress('reading', 0, null);
    let lastSent = 0;
    let info: DatasetInfo;
    try {
      this.cached = null;
      const ds = await this.get(ref, {
        signal: controller.signal,
        onProgress: (done, total, phase) => {
          // Folder imports report every file: pass on a few per second, and the last one.
          const now = Date.now();
          if ((total === null || done < total) && now - lastSent < 200) return;
          lastSent = now;
          progress(phase === 'reading headers' ? 'reading' : phase, done, total);
        },
      });
      controller.signal.throwIfAborted();
      info = infoOf(ds, kind);
    } catch (e) {
      if (controller.signal.aborted) {
        this.cached = null;
        progress('canceled', 0, null);
        return null;
      }
      progress('failed', 0, null, (e as Error).message);
      throw e;
    } finally {
      this.importing = null;
    }
    const others = (await this.imported()).filter((d) => d.id !== info.id);
    await replaceFile(this.file, JSON.stringify([...others, info], null, 2) + '\n');
    progress('done', info.trainCount, info.trainCount);
    return info;
  }

  /** A few images drawn at random (seeded) as PNG data URLs with their labels. */
  async samples(id: string, count: number, split: 'train' | 'test', seed: number): Promise<DatasetSample[]> {
    const ds = await this.get(id);
    const set = split === 'test' ? ds.test : ds.train;
    if (!set || set.count === 0) return [];
    const [h, w, c] = ds.inputShape;
    const size = h * w * c;
    const random = mulberry32(seed);
    const picks = new Set<number>();
    const want = Math.min(count, set.count);
    while (picks.size < want) picks.add(Math.floor(random() * set.count));
    return Promise.all(
      [...picks].map(async (i) => {
        const pixels = Buffer.from(set.images.buffer, set.images.byteOffset + i * size, size);
        const png = await sharp(pixels, { raw: { width: w, height: h, channels: c as 1 | 2 | 3 | 4 } })
          .png()
          .toBuffer();
        const classIndex = set.labels[i];
        return {
          dataUrl: `data:image/png;base64,${png.toString('base64')}`,
          classIndex,
          label: ds.classNames[classIndex] ?? String(classIndex),
        };
      }),
    );
  }
}
