/**
 * Replaces a folder of small files atomically, as saveModelAtomic does for models: all files go to a temporary
 * sibling (each fsynced), then the old folder is moved aside and the new one renamed into place. A failure at
 * any step leaves the previous folder as it was.
 */
import path from 'node:path';
import { nodeDurableFs, type DurableFs } from '../engine/durable-fs.js';
import { recoverInterruptedSave } from '../engine/save.js';

export async function writeFolderAtomic(dir: string, files: Record<string, string | Uint8Array>, fs: DurableFs = nodeDurableFs): Promise<void> {
  await recoverInterruptedSave(dir, fs);
  // Same naming as save.ts, so its recovery also cleans up after this writer.
  const temp = `${dir}.saving-${process.pid}-${Date.now().toString(36)}`;
  try {
    await fs.mkdir(temp);
    for (const [name, data] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(temp, name)));
      await fs.writeFileDurable(path.join(temp, name), data);
    }
    await fs.fsyncDir(temp);
    const previous = `${dir}.previous`;
    const had = await fs.exists(dir);
    if (had) await fs.rename(dir, previous);
    try {
      await fs.rename(temp, dir);
    } catch (e) {
      if (had) await fs.rename(previous, dir).catch(() => {});
      throw e;
    }
    await fs.fsyncDir(path.dirname(dir));
    if (had) await fs.rm(previous).catch(() => {});
  } finally {
    await fs.rm(temp).catch(() => {});
  }
}
