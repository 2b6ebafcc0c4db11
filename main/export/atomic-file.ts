/**
 * Writing an export so that a failure never leaves a half-written file where a good one was: everything is
 * written to a temporary sibling, flushed to disk, then renamed over the target in one step.
 */
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

export function tempSibling(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.partial-${process.pid}-${Date.now().toString(36)}`);
}

async function fsyncPath(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Renames `temp` to `target`; a folder already there is moved aside first and removed only afterwards. */
async function replace(temp: string, target: string): Promise<void> {
  const existing = await stat(target).catch(() => undefined);
  if (!existing?.isDirectory()) return rename(temp, target);
  const aside = `${temp}.previous`;
  await rename(target, aside);
  try {
    await rename(temp, target);
  } catch (e) {
    await rename(aside, target).catch(() => {});
    throw e;
  }
  await rm(aside, { recursive: true, force: true });
}

/** Runs `write(temp)` (which creates the file or folder `temp`), then moves it to `target`. */
export async function writeAtomically(target: string, write: (temp: string) => Promise<void>): Promise<void> {
  target = path.resolve(target);
  await mkdir(path.dirname(target), { recursive: true });
  const temp = tempSibling(target);
  try {
    await write(temp);
    await fsyncPath(temp).catch(() => {});
    await replace(temp, target);
  } catch (e) {
    await rm(temp, { recursive: true, force: true }).catch(() => {});
    throw e;
  }
}

/** Writes bytes or text durably to `target` (via a temporary sibling). */
export async function writeFileAtomically(target: string, data: string | Uint8Array): Promise<void> {
  await writeAtomically(target, async (temp) => {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
}
