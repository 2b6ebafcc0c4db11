/**
 * Resolves a dataset reference (`mnist`, and the importers' `kind:path` forms) to a loaded Dataset.
 */
import { loadBundledMnist } from './bundled.js';
import { DatasetError, type Dataset } from './dataset.js';

export type DatasetLoader = (location: string) => Promise<Dataset>;

const loaders = new Map<string, DatasetLoader>();

/** Importers register their `kind:` prefix here (cifar10, folder, idx ...). */
export function registerDatasetKind(kind: string, loader: DatasetLoader): void {
  loaders.set(kind, loader);
}

export const BUNDLED_DATASETS = ['mnist'] as const;

export async function loadDataset(ref: string): Promise<Dataset> {
  if (ref === 'mnist') return loadBundledMnist();
  const colon = ref.indexOf(':');
  const kind = colon > 0 ? ref.slice(0, colon) : '';
  const loader = loaders.get(kind);
  if (!loader) {
    const known = [...BUNDLED_DATASETS, ...[...loaders.keys()].map((k) => `${k}:<path>`)].join(', ');
    throw new DatasetError(`unknown dataset "${ref}"; use one of: ${known}`);
  }
  const ds = await loader(ref.slice(colon + 1));
  return { ...ds, id: ref };
}
