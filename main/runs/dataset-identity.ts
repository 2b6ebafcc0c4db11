/**
 * A dataset's identity for the run record: a hash of what training actually sees (shape, class names,
 * pixels and labels of the training and test sets), so a resume or an evaluation can tell the same data from
 * a changed or re-imported folder with the same name.
 */
import { createHash } from 'node:crypto';
import type { Dataset, ImageSet } from '../data/dataset.js';

function addSet(hash: ReturnType<typeof createHash>, name: string, set: ImageSet | undefined): void {
  hash.update(`${name}:${set?.count ?? 0}\n`);
  if (!set) return;
  hash.update(set.images);
  hash.update(new Uint8Array(set.labels.buffer, set.labels.byteOffset, set.labels.byteLength));
}

export function datasetHash(dataset: Dataset): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ inputShape: dataset.inputShape, classNames: dataset.classNames }) + '\n');
  addSet(hash, 'train', dataset.train);
  addSet(hash, 'test', dataset.test);
  return `sha256:${hash.digest('hex')}`;
}
