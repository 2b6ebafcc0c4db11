/**
 * The one way Layerbench replaces a file or a folder on disk, so that nothing already saved is lost: the new
 * content goes to a temporary name of its own beside the target, every file and folder written is fsynced,
 * then one rename puts it in place (a folder already there is moved aside first and removed last). A failure
 * at any step removes the temporary and leaves the previous file or folder as it was; the error names the
 * target, the step and the cause ("disk full (ENOSPC) while writing /x/run.json").
 *
 * Every step goes through `FileOps`; `nodeFileOps` is the real file system, and tests replace its methods
 * (or pass their own) to inject ENOSPC or EIO at any single write, fsync or rename.
 */
import { constants } from 'node:fs';
import * as fsp from 'node:fs/promises';
import path from 'node:path';

export interface FileOps {
  mkdir(dir: string): Promise<void>;
  /** Creates (or truncates) `file` and writes all of `data`; not yet flushed to the disk. */
  writeFile(file: string, data: Uint8Array | string): Promise<void>;
  /** Flushes a file or a folder (its entries) to the disk. */
  fsync(target: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(target: string): Promise<void>;
  exists(target: string): Promise<boolean>;
  isDirectory(target: string): Promise<boolean>;
  readdir(dir: string): Promise<string[]>;
}

const errnoOf = (e: unknown) => (e as NodeJS.ErrnoException | undefined)?.code;

export const nodeFileOps: FileOps = {
  async mkdir(dir) {
    await fsp.mkdir(dir, { recursive: true });
  },
  async writeFile(file, data) {
    const handle = await fsp.open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o644);
    try {
      await handle.writeFile(data);
    } finally {
      await handle.close();
    }
  },
  async fsync(target) {
    const handle = await fsp.open(target, constants.O_RDONLY);
    try {
      await handle.sync();
    } catch (e) {
      // Some file systems (and Windows) cannot fsync a folder; the rename is still atomic there.
      const folderUnsupported = (errnoOf(e) === 'EINVAL' || errnoOf(e) === 'EISDIR') && (await handle.stat()).isDirectory();
      if (!folderUnsupported) throw e;
    } finally {
      await handle.close();
    }
  },
  async rename(from, to) {
    await fsp.rename(from, to);
  },
  async rm(target) {
    await fsp.rm(target, { recursive: true, force: true });
  },
  async exists(target) {
    return fsp.access(target).then(
      () => true,
      () => false,
    );
  },
  async isDirectory(target) {
    return fsp.stat(target).then(
      (s) => s.isDirectory(),
      () => false,
    );
  },
  async readdir(dir) {
    return fsp.readdir(dir);
  },
};

const REASONS: Record<string, string> = {
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error from the disk',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'a folder is in the way',
};

/** "disk full (ENOSPC)" for an errno the user can act on, else the error's own message. */
export function describeFileError(e: unknown): string {
  const code = errnoOf(e);
  if (code && REASONS[code]) return `${REASONS[code]} (${code})`;
  return e instanceof Error ? e.message : String(e);
}

export class ReplaceError extends Error {
  /** The errno (`ENOSPC`, `EIO`, ...) or `REPLACE_FAILED`. */
  readonly code: string;
  /** "disk full (ENOSPC)" */
  readonly reason: string;
  /** The target again, where handlers look for the path an I/O error concerns. */
  readonly path: string;
  constructor(
    cause: unknown,
    /** The file or folder being replaced. */
    readonly target: string,
    /** What failed: "writing", "flushing", "renaming into place", ... */
    readonly step: string,
  ) {
    const reason = describeFileError(cause);
    super(`${reason} while ${step} ${target}`, { cause });
    this.name = 'ReplaceError';
    this.code = errnoOf(cause) ?? 'REPLACE_FAILED';
    this.reason = reason;
    this.path = target;
  }
}

/** What every temporary name holds, so housekeeping can recognise (and age out) leftovers. */
export const TEMP_MARK = '.saving-';
let tempCounter = 0;

/** A name beside `target` no other writer (this process or another) uses at the same time. */
export function tempNameFor(target: string): string {
  return `${target}${TEMP_MARK}${process.pid}-${++tempCounter}-${Date.now().toString(36)}`;
}

const previousOf = (target: string) => `${target}.previous`;

/** Runs `fn`; a failure becomes a ReplaceError naming `target` and `step`. */
async function step<T>(target: string, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw e instanceof ReplaceError ? e : new ReplaceError(e, target, what);
  }
}

/** Flushes every file under `p`, then the folders holding them. */
async function fsyncTree(p: string, ops: FileOps): Promise<void> {
  if (await ops.isDirectory(p)) {
    for (const name of await ops.readdir(p)) await fsyncTree(path.join(p, name), ops);
  }
  await ops.fsync(p);
}

/**
 * Puts a folder back in order after a replace that was cut off (crash, power loss) part way: a folder moved
 * aside comes back if the new one never arrived, and temporaries left beside it are removed.
 */
export async function recoverInterruptedReplace(target: string, ops: FileOps = nodeFileOps): Promise<void> {
  target = path.resolve(target);
  const previous = previousOf(target);
  if (await ops.exists(previous)) {
    if (await ops.exists(target)) await ops.rm(previous);
    else await ops.rename(previous, target);
  }
  const parent = path.dirname(target);
  if (!(await ops.exists(parent))) return;
  const mark = path.basename(target) + TEMP_MARK;
  for (const entry of await ops.readdir(parent)) {
    if (entry.startsWith(mark)) await ops.rm(path.join(parent, entry));
  }
}

/** Moves `temp` to `target`; a folder at `target` is moved aside and put back if the move fails. */
async function swapIn(temp: string, target: string, ops: FileOps): Promise<void> {
  const previous = previousOf(target);
  const hadFolder = await ops.isDirectory(target);
  if (hadFolder) await step(target, 'moving aside the previous', () => ops.rename(target, previous));
  try {
    await step(target, 'renaming into place', () => ops.rename(temp, target));
  } catch (e) {
    if (hadFolder && !(await ops.exists(target).catch(() => true))) await ops.rename(previous, target).catch(() => {});
    throw e;
  }
  try {
    await step(target, 'flushing the folder holding', () => ops.fsync(path.dirname(target)));
  } finally {
    // The new content is in place either way: the folder moved aside is no longer needed.
    if (hadFolder) await ops.rm(previous).catch(() => {});
  }
}

/**
 * Replaces `target` with what `write(temp)` creates at `temp` (a file or a folder). `write` should let its
 * errors through; they are reported as "... while writing <target>".
 */
export async function replaceWith(target: string, write: (temp: string) => Promise<void>, ops: FileOps = nodeFileOps): Promise<void> {
  target = path.resolve(target);
  await step(target, 'creating the folder for', () => ops.mkdir(path.dirname(target)));
  const temp = tempNameFor(target);
  try {
    await step(target, 'writing', () => write(temp));
    await step(target, 'flushing', () => fsyncTree(temp, ops));
    await swapIn(temp, target, ops);
  } finally {
    await ops.rm(temp).catch(() => {});
  }
}

/** Replaces the file `target` with `data`. */
export async function replaceFile(target: string, data: Uint8Array | string, ops: FileOps = nodeFileOps): Promise<void> {
  await replaceWith(target, (temp) => ops.writeFile(temp, data), ops);
}

/** Replaces the folder `target` with one holding `files` (relative name to contents), after any recovery it needs. */
export async function replaceFolder(target: string, files: Record<string, string | Uint8Array>, ops: FileOps = nodeFileOps): Promise<void> {
  target = path.resolve(target);
  await recoverInterruptedReplace(target, ops);
  await replaceWith(
    target,
    async (temp) => {
      await ops.mkdir(temp);
      for (const [name, data] of Object.entries(files)) {
        const file = path.join(temp, name);
        // Named by where it was going, the path the user knows.
        await step(path.join(target, name), 'writing', async () => {
          if (path.dirname(file) !== temp) await ops.mkdir(path.dirname(file));
          await ops.writeFile(file, data);
        });
      }
    },
    ops,
  );
}
