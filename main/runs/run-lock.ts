/**
 * The run folder's lock (main/platform/folder-lock.ts) as the run store uses it: training, resuming and
 * evaluating take it, so two processes never write one run's epochs, checkpoints or reports at once.
 * A held lock is a RunError('LOCKED') naming the folder and the holder's pid.
 */
import { FolderLockedError, lockFolder, type FolderLock } from '../platform/folder-lock.js';
import { RunError } from './run-error.js';

/** Runs `work` holding the lock on the run folder `dir` (which must exist); released however `work` ends. */
export async function withRunLock<T>(dir: string, purpose: string, work: () => Promise<T>): Promise<T> {
  let lock: FolderLock;
  try {
    lock = await lockFolder(dir, purpose);
  } catch (e) {
    if (e instanceof FolderLockedError) throw new RunError('LOCKED', `cannot ${purpose} ${dir}: ${e.message}`);
    throw e;
  }
  try {
    return await work();
  } finally {
    await lock.release();
  }
}
