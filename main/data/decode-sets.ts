/**
 * The parallel part of an image-folder import: a bounded pool of async jobs (sharp decodes on libuv's thread
 * pool, so a few in flight keep every core busy without queueing thousands of buffers), and the decode pass
 * that writes each image straight into one preallocated buffer per set.
 */
import { readFile } from 'node:fs/promises';
import type { ImageSet } from './dataset.js';
import type { ImageFileEntry } from './folder-scan.js';
import { decodeImage, type DecodeTarget, type ImageProbe } from './image-decode.js';
import type { SkipLog } from './skip-log.js';

/** Progress of a folder import, per phase; `total` is null while the folder is still being listed. */
export type ProgressFn = (done: number, total: number | null, phase: 'scanning' | 'reading headers' | 'decoding') => void;

/** A file whose header was read and accepted, waiting for its decode. */
export interface Probed {
  entry: ImageFileEntry;
  probe: ImageProbe;
  /** Position in the scanned file list: training files first, then test files. */
  index: number;
  /** The file's bytes, kept from the header pass while they fit KEEP_READ_BYTES, so it is read once. */
  bytes?: Buffer;
}

export async function forEachPool<T>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
  done: (n: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  let finished = 0;
  const worker = async () => {
    while (next < items.length) {
      signal?.throwIfAborted();
      const i = next++;
      await fn(items[i], i);
      done(++finished);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Decodes every usable image straight into its slot of one preallocated buffer per set (training, test),
 * then closes the gaps left by images that failed to decode.
 */
export async function decodeSets(
  usable: Probed[],
  trainCount: number,
  target: DecodeTarget,
  concurrency: number,
  skips: SkipLog,
  onProgress?: ProgressFn,
  signal?: AbortSignal,
) {
  const size = target.width * target.height * target.channels;
  const parts = [usable.filter((p) => p.index < trainCount), usable.filter((p) => p.index >= trainCount)];
  const sets = parts.map((list) => ({ list, images: new Uint8Array(list.length * size), ok: new Uint8Array(list.length) }));
  const jobs = sets.flatMap((set) => set.list.map((p, slot) => ({ set, p, slot })));
  let resized = 0;
  await forEachPool(
    jobs,
    concurrency,
    async ({ set, p, slot }) => {
      try {
        const bytes = p.bytes ?? (await readFile(p.entry.readPath ?? p.entry.file));
        p.bytes = undefined;
        const out = await decodeImage(bytes, p.probe, target);
        set.images.set(out.pixels, slot * size);
        set.ok[slot] = 1;
        if (out.resized) resized++;
      } catch (e) {
        skips.add(p.entry.file, (e as Error).message);
      }
    },
    (n) => onProgress?.(n, jobs.length, 'decoding'),
    signal,
  );
  const [train, test] = sets.map(({ list, images, ok }): ImageSet => {
    const labels: number[] = [];
    let kept = 0;
    for (let slot = 0; slot < list.length; slot++) {
      if (!ok[slot]) continue;
      if (kept !== slot) images.copyWithin(kept * size, slot * size, (slot + 1) * size);
      labels.push(list[slot].entry.label);
      kept++;
    }
    // A few failures leave a little unused tail; many would waste memory, so copy then.
    const trimmed =
      kept === list.length ? images : kept > list.length * 0.9 ? images.subarray(0, kept * size) : images.slice(0, kept * size);
    return { images: trimmed, labels: Uint16Array.from(labels), count: kept };
  });
  return { train, test, resized };
}
