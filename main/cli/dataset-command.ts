/**
 * `layerbench dataset inspect <ref>`: loads a dataset as training would and prints what it found (classes,
 * images per class, size, memory, skipped files and why).
 * `layerbench dataset download cifar10 --out DIR`: fetches the official archive with a progress bar and
 * checks its MD5; `--url`/`--md5` point at a mirror.
 * `layerbench dataset cache [--clear]`: the decoded-dataset cache's folder, entries and size; --clear empties it.
 */
import path from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { DatasetError } from '../data/dataset.js';
import { cacheEntryLabel, clearDatasetCache, datasetCacheDir, datasetCacheEntries, datasetCacheLimitBytes } from '../data/dataset-cache.js';
import { CIFAR10_DOWNLOAD, downloadVerified } from '../data/download.js';
import { loadDataset } from '../data/registry.js';
import { CliError, EXIT } from './exit-codes.js';

type Values = Record<string, string | boolean | undefined>;

const MB = 1024 * 1024;

/** A progress bar on stderr when it is a terminal; silent in pipes and logs. */
export function progressBar(stream: NodeJS.WriteStream = process.stderr): {
  update(done: number, total: number, label: string): void;
  end(): void;
} {
  let last = 0;
  let drawn = false;
  return {
    update(done, total, label) {
      if (!stream.isTTY) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const width = 30;
      const frac = total > 0 ? Math.min(1, done / total) : 0;
      const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
      stream.write(`\r\x1b[2K[${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${label}`);
      drawn = true;
    },
    end() {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}

export function describeDataset(ds: Dataset): string {
  const [h, w, c] = ds.inputShape;
  const per = h * w * c;
  const lines = [
    `Dataset: ${ds.name}`,
    `Source:  ${ds.source}`,
    `Images:  ${h}x${w}x${c} (${c === 1 ? 'grayscale' : 'RGB'}), uint8: ${per.toLocaleString('en-US')} bytes each, ` +
      `${(ds.train.images.byteLength / MB).toFixed(1)} MB for ${ds.train.count.toLocaleString('en-US')} training images`,
    `Test set: ${ds.test ? `${ds.test.count.toLocaleString('en-US')} images, kept apart for final evaluation` : 'none'}`,
  ];
  const r = ds.report;
  const count = (labels: Uint16Array) => {
    const c = new Array<number>(ds.classNames.length).fill(0);
    for (const l of labels) c[l]++;
    return c;
  };
  const counts = count(ds.train.labels);
  const testCounts = ds.test ? count(ds.test.labels) : undefined;
  const nameWidth = Math.max(5, ...ds.classNames.map((n) => n.length));
  lines.push(
    `Classes: ${ds.classNames.length}`,
    `  ${'class'.padEnd(nameWidth)}  ${'train'.padStart(7)}${testCounts ? `  ${'test'.padStart(7)}` : ''}`,
  );
  ds.classNames.forEach((name, i) => {
    lines.push(
      `  ${name.padEnd(nameWidth)}  ${String(counts[i]).padStart(7)}${testCounts ? `  ${String(testCounts[i]).padStart(7)}` : ''}`,
    );
  });
  if (r) {
    if (r.resized && r.resized.count > 0) lines.push(`Resized: ${r.resized.count} images, ${r.resized.mode}`);
    lines.push(`Skipped: ${r.skippedCount} file${r.skippedCount === 1 ? '' : 's'}`);
    for (const [reason, n] of Object.entries(r.skippedByReason)) lines.push(`  ${n} x ${reason}`);
    if (r.skipped.length > 0) {
      lines.push(`  first ${r.skipped.length}:`);
      for (const s of r.skipped) lines.push(`    ${s.file}: ${s.reason}`);
    }
    for (const warning of r.warnings) lines.push(`Warning: ${warning}`);
    if (r.fromCache) lines.push('Loaded from the decoded-dataset cache (`layerbench dataset cache --clear` empties it).');
  }
  return lines.join('\n');
}

async function inspect(ref: string | undefined): Promise<number> {
  if (!ref)
    throw new CliError(
      'dataset inspect needs a dataset, e.g. layerbench dataset inspect cifar10:~/data/cifar-10-binary.tar.gz',
      EXIT.usage,
    );
  const bar = progressBar();
  let ds: Dataset;
  try {
    ds = await loadDataset(ref, {
      onProgress: (done, total, phase) => bar.update(done, total ?? 0, `${phase} ${done}${total === null ? '' : `/${total}`}`),
    });
  } catch (e) {
    bar.end();
    if (e instanceof DatasetError) throw new CliError(`dataset error: ${e.message}`, EXIT.dataset);
    throw e;
  }
  bar.end();
  process.stdout.write(describeDataset(ds) + '\n');
  return EXIT.ok;
}

async function download(name: string | undefined, values: Values): Promise<number> {
  if (name !== 'cifar10') throw new CliError(`dataset download knows only cifar10, got "${name ?? ''}"`, EXIT.usage);
  const out = typeof values.out === 'string' ? values.out : undefined;
  if (!out) throw new CliError('dataset download needs --out DIR (the folder to save cifar-10-binary.tar.gz in)', EXIT.usage);
  const url = typeof values.url === 'string' ? values.url : CIFAR10_DOWNLOAD.url;
  const md5 = typeof values.md5 === 'string' ? values.md5.toLowerCase() : CIFAR10_DOWNLOAD.md5;
  const dest = path.resolve(out, CIFAR10_DOWNLOAD.file);
  const bar = progressBar();
  process.stdout.write(`Downloading ${url}\n`);
  try {
    const result = await downloadVerified(url, dest, {
      md5,
      onProgress: (done, total) => bar.update(done, total, `${(done / MB).toFixed(1)}${total ? ` / ${(total / MB).toFixed(1)}` : ''} MB`),
    });
    bar.end();
    const what = result.alreadyThere ? 'Already there' : 'Saved';
    process.stdout.write(`${what}: ${result.file} (${(result.bytes / MB).toFixed(1)} MB, MD5 ${md5} verified)\n`);
    process.stdout.write(`Train on it with: layerbench train --preset seed-batchnorm --dataset cifar10:${result.file}\n`);
    return EXIT.ok;
  } catch (e) {
    bar.end();
    if (e instanceof DatasetError) throw new CliError(`download failed: ${e.message}`, EXIT.dataset);
    throw e;
  }
}

async function cache(values: Values): Promise<number> {
  const dir = datasetCacheDir();
  if (values.clear === true) {
    const { entries, bytes } = await clearDatasetCache();
    process.stdout.write(`Removed ${entries} cached dataset${entries === 1 ? '' : 's'} (${(bytes / MB).toFixed(1)} MB) from ${dir}\n`);
    return EXIT.ok;
  }
  const entries = await datasetCacheEntries();
  const total = entries.reduce((sum, e) => sum + e.bytes, 0);
  const lines = [
    `Decoded-dataset cache: ${dir}`,
    `${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, ${(total / MB).toFixed(1)} MB of ${(datasetCacheLimitBytes() / MB).toFixed(0)} MB ` +
      '(LAYERBENCH_DATASET_CACHE_MB; the least recently used go first)',
  ];
  // Most recently used first, each with what it holds (the header names the dataset and its folder).
  for (const e of entries.slice().reverse()) {
    const label = (await cacheEntryLabel(e.file)) ?? 'unreadable entry';
    lines.push(
      `  ${(e.bytes / MB).toFixed(1).padStart(8)} MB  last used ${e.lastUsed.toISOString()}  ${label}  (${path.basename(e.file)})`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
  return EXIT.ok;
}

/** Registered in main.ts as the `dataset` command. */
export const datasetCommand = {
  options: {
    out: { type: 'string' as const },
    url: { type: 'string' as const },
    md5: { type: 'string' as const },
    clear: { type: 'boolean' as const },
  },
  run: async (positionals: string[], values: Values): Promise<number> => {
    const [action, arg] = positionals;
    if (action === 'inspect') return inspect(arg);
    if (action === 'download') return download(arg, values);
    if (action === 'cache') return cache(values);
    throw new CliError(
      `dataset needs "inspect <ref>", "download cifar10 --out DIR" or "cache [--clear]", got "${action ?? ''}"`,
      EXIT.usage,
    );
  },
};
