/**
 * Imports a folder of images (one subfolder per class, optionally separate train/ and test/ roots) into a
 * uint8 Dataset. Two passes over the files: headers first (to choose the common size and colour), then
 * decoding in parallel straight into one preallocated buffer. Files that cannot be used are skipped and
 * reported, never changed; the result is cached so the next import of the same files is one read.
 */
import os from 'node:os';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { LIMITS } from '../../common/limits.js';
import { DatasetError, type Dataset, type ImageSet } from './dataset.js';
import { cacheKey, readCachedDataset, writeCachedDataset } from './dataset-cache.js';
import { scanImageFolder, type ScannedFolder } from './folder-scan.js';
import { probeImage, RESIZE_MODES, type DecodeTarget, type ImageProbe, type ResizeMode } from './image-decode.js';
import { decodeSets, forEachPool, type Probed, type ProgressFn } from './decode-sets.js';
import { SkipLog } from './skip-log.js';

export interface FolderOptions {
  /** [height, width]; default: the most common size among the images. */
  size?: [number, number];
  /** Default: 1 when every image is grayscale, else 3. */
  channels?: 1 | 3;
  resize?: ResizeMode;
  /** Use and fill the decoded-dataset cache (default true). */
  cache?: boolean;
  onProgress?: ProgressFn;
  /** Files decoded at once (default: max(4, cores)); sharp's work runs on libuv's thread pool. */
  concurrency?: number;
  /** Files and folders listed at most (default MAX_SCANNED_ENTRIES). */
  maxEntries?: number;
  /** Stops the import between files; it then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** The default size never exceeds what a model may take (LIMITS.imageSide): larger images are scaled to fit. */
function defaultSize(probes: ImageProbe[]): { size: [number, number]; capped?: string } {
  const [h, w] = mostCommonSize(probes);
  const max = LIMITS.imageSide.max;
  if (h <= max && w <= max) return { size: [h, w] };
  const scale = max / Math.max(h, w);
  const size: [number, number] = [Math.max(1, Math.round(h * scale)), Math.max(1, Math.round(w * scale))];
  return {
    size,
    capped: `most images are ${h}x${w}, more than the ${max} px per side a model takes; they are scaled to ${size[0]}x${size[1]} (choose another size with #size=HxW)`,
  };
}

function mostCommonSize(probes: ImageProbe[]): [number, number] {
  const counts = new Map<string, { n: number; h: number; w: number }>();
  for (const p of probes) {
    const k = `${p.height}x${p.width}`;
    const c = counts.get(k) ?? { n: 0, h: p.height, w: p.width };
    c.n++;
    counts.set(k, c);
  }
  const best = [...counts.values()].sort((a, b) => b.n - a.n || b.h * b.w - a.h * a.w)[0];
  return [best.h, best.w];
}

async function findLayout(root: string): Promise<{ train: string; test?: string }> {
  let info;
  try {
    info = await stat(root);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DatasetError(`${root}: ${code === 'ENOENT' ? 'no such folder' : `cannot be read (${code})`}`, root);
  }
  if (!info.isDirectory()) {
    const what = info.isFile() ? 'a file' : 'a device, pipe or socket';
    throw new DatasetError(`${root}: is ${what}, not a folder; folder: datasets need a folder with one subfolder per class`, root);
  }
  const isDir = async (p: string) => (await stat(p).catch(() => undefined))?.isDirectory() === true;
  const train = path.join(root, 'train');
  const test = path.join(root, 'test');
  if ((await isDir(train)) && (await isDir(test))) return { train, test };
  return { train: root };
}

const KEEP_READ_BYTES = 256 * 1024 * 1024;

export async function loadImageFolder(location: string, options: FolderOptions = {}): Promise<Dataset> {
  const root = path.resolve(location);
  const layout = await findLayout(root);
  const skips = new SkipLog();
  const { signal } = options;
  const scanOptions = {
    visited: new Set<string>(),
    ...(options.maxEntries !== undefined ? { maxEntries: options.maxEntries } : {}),
    onEntries: (n: number) => options.onProgress?.(n, null, 'scanning'),
    ...(signal ? { signal } : {}),
  };
  const trainScan = await scanImageFolder(layout.train, skips, undefined, scanOptions);
  const testScan = layout.test ? await scanImageFolder(layout.test, skips, trainScan.classNames, scanOptions) : undefined;
  const all = [...trainScan.files, ...(testScan?.files ?? [])];
  if (all.length === 0) {
    const reasons = Object.entries(skips.byReason).map(([r, n]) => `${n} ${r}`);
    throw new DatasetError(
      `${root}: no image files found${reasons.length ? ` (${skips.count} files skipped: ${reasons.join('; ')})` : ''}`,
      root,
    );
  }
  const resize = options.resize ?? 'stretch';
  const useCache = options.cache !== false;
  const key = cacheKey({
    root,
    files: all.map((f) => [f.file, f.size, f.mtimeMs, f.label]),
    trainCount: trainScan.files.length,
    skipped: skips.count,
    size: options.size,
    channels: options.channels,
    resize,
  });
  if (useCache) {
    const cached = await readCachedDataset(key);
    if (cached?.report) return { ...cached, resize, report: { ...cached.report, fromCache: true } };
  }

  const concurrency = options.concurrency ?? Math.max(4, os.availableParallelism());
  const probes: (Probed | undefined)[] = new Array(all.length);
  let kept = 0;
  await forEachPool(
    all,
    concurrency,
    async (entry, i) => {
      try {
        const bytes = await readFile(entry.readPath ?? entry.file);
        const probe = await probeImage(bytes);
        const keep = kept + bytes.length <= KEEP_READ_BYTES;
        if (keep) kept += bytes.length;
        probes[i] = { entry, probe, index: i, ...(keep ? { bytes } : {}) };
      } catch (e) {
        skips.add(entry.file, (e as Error).message);
      }
    },
    (n) => options.onProgress?.(n, all.length, 'reading headers'),
    signal,
  );
  const usable = probes.filter((p): p is Probed => p !== undefined);
  if (usable.length === 0)
    throw new DatasetError(
      `${root}: none of the ${all.length} image files could be read; first: ${skips.listed[0]?.file}: ${skips.listed[0]?.reason}`,
      root,
    );
  const chosen = options.size ? { size: options.size } : defaultSize(usable.map((p) => p.probe));
  const [height, width] = chosen.size;
  const channels = options.channels ?? (usable.every((p) => p.probe.gray) ? 1 : 3);
  const target: DecodeTarget = { width, height, channels, mode: resize };

  const decoded = await decodeSets(usable, trainScan.files.length, target, concurrency, skips, options.onProgress, signal);
  const { train, resized } = decoded;
  const test = testScan ? decoded.test : undefined;

  const numClasses = trainScan.classNames.length;
  const countsPerClass = perClass(train, numClasses);
  checkClasses(trainScan, countsPerClass, skips);
  const warnings = trainScan.classNames
    .filter((_, i) => countsPerClass[i] === 1)
    .map((n) => `class folder "${n}" has a single image; it cannot appear in both the training and validation parts`);
  if (chosen.capped) warnings.unshift(chosen.capped);
  const ds: Dataset = {
    id: `folder:${location}`,
    name: `${path.basename(root)} (${train.count.toLocaleString('en-US')} images, ${numClasses} classes)`,
    inputShape: [height, width, channels],
    classNames: trainScan.classNames,
    train,
    ...(test ? { test } : {}),
    source: root,
    resize,
    report: {
      skipped: skips.listed,
      skippedCount: skips.count,
      skippedByReason: skips.byReason,
      countsPerClass,
      ...(test ? { testCountsPerClass: perClass(test, numClasses) } : {}),
      resized: { count: resized, mode: `${resize}: ${RESIZE_MODES[resize]}` },
      warnings,
    },
  };
  if (useCache) {
    try {
      await writeCachedDataset(key, ds);
    } catch (e) {
      ds.report!.warnings.push(`the decoded images could not be cached (${(e as Error).message}); the next import will decode them again`);
    }
  }
  return ds;
}

function perClass(set: ImageSet, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const l of set.labels) counts[l]++;
  return counts;
}

function checkClasses(scan: ScannedFolder, counts: number[], skips: SkipLog): void {
  const empty = scan.classNames.findIndex((_, i) => counts[i] === 0);
  if (empty < 0) return;
  const dir = scan.classDirs[empty];
  const skipped = skips.listedUnder(dir + path.sep);
  const detail = skipped.length
    ? `; its files were skipped: ${skipped
        .slice(0, 3)
        .map((s) => `${path.basename(s.file)} (${s.reason})`)
        .join(', ')}`
    : '';
  throw new DatasetError(
    `${dir}: class folder "${scan.classNames[empty]}" holds no usable images${detail}. Add images or remove the folder.`,
    dir,
  );
}
