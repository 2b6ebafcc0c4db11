/**
 * Resolves a dataset reference (`mnist`, and the importers' `kind:path[#options]` forms) to a loaded Dataset:
 *   cifar10:<archive.tar.gz | folder | batch.bin>
 *   cifar100:<path>[#fine | #coarse]
 *   folder:<root>[#size=32x32,channels=1|3,resize=stretch|crop|pad,nocache]
 *   idx:<folder | images-idx3-ubyte[.gz] file>
 */
import { loadBundledMnist } from './bundled.js';
import { CIFAR10, cifar100, loadCifar } from './cifar.js';
import { DatasetError, type Dataset } from './dataset.js';
import { loadIdxDataset } from './idx-dataset.js';
import type { ProgressFn } from './decode-sets.js';
import { loadImageFolder } from './image-folder.js';
import { parseFolderOptions } from './ref-options.js';

export interface LoadOptions {
  /** Progress of long imports (image folders), for a progress bar. */
  onProgress?: ProgressFn;
  /** Cancels the import (checked between files); the load then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** The part of the reference after the last `#`, if any. */
  fragment?: string;
}

export type DatasetLoader = (location: string, options: LoadOptions) => Promise<Dataset>;

const loaders = new Map<string, DatasetLoader>();

/** Importers register their `kind:` prefix here (cifar10, folder, idx ...). */
export function registerDatasetKind(kind: string, loader: DatasetLoader): void {
  loaders.set(kind, loader);
}

registerDatasetKind('cifar10', (location, { signal }) => loadCifar(location, CIFAR10, signal));
registerDatasetKind('cifar100', (location, { fragment, signal }) => {
  if (fragment !== undefined && fragment !== 'fine' && fragment !== 'coarse') {
    throw new DatasetError(`cifar100: "#${fragment}" is not a label choice; use #fine (100 classes) or #coarse (20 classes)`);
  }
  return loadCifar(location, cifar100(fragment === 'coarse' ? 'coarse' : 'fine'), signal);
});
registerDatasetKind('folder', (location, { fragment, onProgress, signal }) =>
  loadImageFolder(location, { ...parseFolderOptions(fragment), ...(onProgress ? { onProgress } : {}), ...(signal ? { signal } : {}) }),
);
registerDatasetKind('idx', (location, { signal }) => loadIdxDataset(location, signal));

export const BUNDLED_DATASETS = ['mnist'] as const;

/** Splits `path#options`, taking `#` as a separator only when an option list follows it. */
function splitFragment(rest: string): { location: string; fragment?: string } {
  const hash = rest.lastIndexOf('#');
  if (hash < 0) return { location: rest };
  const fragment = rest.slice(hash + 1);
  if (!/^[a-z]+(=[^,#]*)?(,[a-z]+(=[^,#]*)?)*$/.test(fragment)) return { location: rest };
  return { location: rest.slice(0, hash), fragment };
}

export async function loadDataset(ref: string, options: Omit<LoadOptions, 'fragment'> = {}): Promise<Dataset> {
  if (ref === 'mnist') return loadBundledMnist();
  const colon = ref.indexOf(':');
  const kind = colon > 0 ? ref.slice(0, colon) : '';
  const loader = loaders.get(kind);
  if (!loader) {
    const known = [...BUNDLED_DATASETS, ...[...loaders.keys()].map((k) => `${k}:<path>`)].join(', ');
    throw new DatasetError(`unknown dataset "${ref}"; use one of: ${known}`);
  }
  const { location, fragment } = splitFragment(ref.slice(colon + 1));
  if (!location) throw new DatasetError(`dataset "${ref}" names no path; write ${kind}:<path>`);
  const ds = await loader(location, { ...options, ...(fragment !== undefined ? { fragment } : {}) });
  return { ...ds, id: ref };
}
