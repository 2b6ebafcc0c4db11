/**
 * An exclusive lock on a folder, so two processes never train, resume, evaluate or export into the same run
 * folder at once. The lock is a file created with O_EXCL (only one creator can succeed) holding the owner's
 * pid, host and start time; a lock whose process is gone on this host is stale and taken over.
 */
import { constants, readFileSync } from 'node:fs';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';

export const LOCK_FILE = '.layerbench.lock';

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  /** What the holder is doing: "train", "resume", "evaluate", "export". */
  purpose: string;
}

export class FolderLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: LockHolder | undefined,
  ) {
    const who = holder
      ? `process ${holder.pid} on ${holder.host} (${holder.purpose}, since ${holder.startedAt})`
      : 'another process (its lock file cannot be read)';
    super(`${dir} is in use by ${who}; wait for it to end, or if no such process exists, remove ${path.join(dir, LOCK_FILE)}`);
    this.name = 'FolderLockedError';
  }
}

/** True while process `pid` is alive on this machine (a zombie, killed but not yet reaped, counts as gone). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** Folders this process holds (or is taking) locks on: a lock file naming this pid is otherwise left from an earlier lock. */
const held = new Set<string>();

function parseHolder(text: string): LockHolder | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    if (typeof v.pid !== 'number' || typeof v.host !== 'string') return undefined;
    return { pid: v.pid, host: v.host, startedAt: String(v.startedAt ?? ''), purpose: String(v.purpose ?? '') };
  } catch {
    return undefined;
  }
}

/** A lock file that never got its contents (its creator died at once) is stale after this long. */
const UNREADABLE_STALE_MS = 60_000;

async function isStale(file: string, holder: LockHolder | undefined): Promise<boolean> {
  if (!holder) {
    const s = await stat(file).catch(() => undefined);
    return s !== undefined && Date.now() - s.mtimeMs > UNREADABLE_STALE_MS;
  }
  // A lock from another machine (a shared drive) cannot be checked: it is respected.
  if (holder.host !== hostname()) return false;
  // Our own pid: only this call claims the folder in this process, so the file is left from an earlier lock.
  if (holder.pid === process.pid) return true;
  return !pidAlive(holder.pid);
}

async function tryCreate(file: string, holder: LockHolder): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    await handle.writeFile(JSON.stringify(holder) + '\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

export interface FolderLock {
  dir: string;
  /** Removes the lock file if it is still this lock's; safe to call more than once. */
  release(): Promise<void>;
}

/** Takes the lock on `dir` (which must exist) or throws FolderLockedError naming the holder. */
export async function lockFolder(dir: string, purpose: string): Promise<FolderLock> {
  dir = path.resolve(dir);
  const file = path.join(dir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), purpose };
  if (held.has(dir)) throw new FolderLockedError(dir, parseHolder(await readFile(file, 'utf8').catch(() => '')));
  // Claimed within this process first; O_EXCL decides between processes.
  held.add(dir);
  let holder: LockHolder | undefined;
  try {
    // A few tries: after a stale lock is removed, O_EXCL decides between processes that all saw it stale.
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await tryCreate(file, me)) {
        const mine = JSON.stringify(me) + '\n';
        return {
          dir,
          release: async () => {
            if (!held.delete(dir)) return;
            if ((await readFile(file, 'utf8').catch(() => '')) === mine) await rm(file, { force: true });
          },
        };
      }
      const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : ''));
      if (text === null) continue; // released between our create and read: try again
      holder = parseHolder(text);
      if (!(await isStale(file, holder))) break;
      await removeStale(file, text, me);
    }
  } catch (e) {
    held.delete(dir);
    throw e;
  }
  held.delete(dir);
  throw new FolderLockedError(dir, holder);
}

/**
 * Removes the stale lock whose contents are `text`. Under a second O_EXCL file, so two processes taking over
 * the same stale lock never remove each other's new one: the lock is removed only if it still reads `text`.
 */
async function removeStale(file: string, text: string, me: LockHolder): Promise<void> {
  const guard = `${file}.takeover`;
  if (!(await tryCreate(guard, me))) {
    // Another process is taking over; a guard left by one that died doing so is cleared after a while.
    const s = await stat(guard).catch(() => undefined);
    if (s && Date.now() - s.mtimeMs > UNREADABLE_STALE_MS) await rm(guard, { force: true });
    return;
  }
  try {
    if ((await readFile(file, 'utf8').catch(() => '')) === text) await rm(file, { force: true });
  } finally {
    await rm(guard, { force: true });
  }
}

/** Runs `work` holding the lock on `dir`; the lock is released however `work` ends. */
export async function withFolderLock<T>(dir: string, purpose: string, work: () => Promise<T>): Promise<T> {
  const lock = await lockFolder(dir, purpose);
  try {
    return await work();
  } finally {
    await lock.release();
  }
}
