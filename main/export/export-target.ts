/**
 * What an export or import may write over, decided before anything is written. An export replaces its
 * target whole, so a target that is more than the user asked to replace is refused:
 * - a run folder, a folder holding runs, anything inside a run folder other than its exports/, or a folder
 *   holding the model being exported: never, not even when forced;
 * - an existing folder where a file goes, or a non-empty folder (or a file) where a folder goes: only when
 *   forced (`--force`, or `force` in the app's request).
 * A file where a file goes is replaced: the user named it (and the app's save dialog asked first).
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** The run record a run folder holds (main/runs/run-folder.ts RUN_FILES.info; runs/ is a layer above). */
const RUN_RECORD = 'run.json';
/** The one place inside a run folder exports may replace what is there. */
const RUN_EXPORTS = 'exports';

export type TargetShape = 'file' | 'folder';

export class ExportTargetError extends Error {
  constructor(
    message: string,
    /** The path refused. */
    readonly target: string,
    /** True when `force` would allow the write; false for what is never written over. */
    readonly forceAllows: boolean,
  ) {
    super(message);
    this.name = 'ExportTargetError';
  }
}

const statOf = (p: string) => stat(p).catch(() => undefined);
const isRun = async (dir: string) => (await statOf(path.join(dir, RUN_RECORD)))?.isFile() === true;
/** True when `child` is `parent` or lies inside it (both resolved). */
export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The nearest folder above `target` that is a run folder. */
async function enclosingRun(target: string): Promise<string | undefined> {
  for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
    if (await isRun(dir)) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

async function holdsRun(dir: string, entries: string[]): Promise<string | undefined> {
  if (await isRun(dir)) return dir;
  for (const name of entries) if (await isRun(path.join(dir, name))) return path.join(dir, name);
  return undefined;
}

export interface TargetRules {
  shape: TargetShape;
  force?: boolean;
  /** What must survive the write: the model folder being exported and its run folder, the file imported. */
  keep?: string[];
}

/** Throws ExportTargetError when writing `target` would remove more than the user asked to replace. */
export async function checkExportTarget(target: string, rules: TargetRules): Promise<void> {
  target = path.resolve(target);
  const found = await statOf(target);
  if (!found) return;
  const never = (why: string) => new ExportTargetError(`${target} ${why}; choose another path`, target, false);
  for (const keep of rules.keep ?? []) {
    if (isInside(path.resolve(keep), target)) throw never(`holds ${path.resolve(keep)}, which is being read and would be replaced`);
  }
  const run = await enclosingRun(target);
  if (run && !isInside(target, path.join(run, RUN_EXPORTS))) throw never(`is part of the run folder ${run}, which is never written over`);
  if (!found.isDirectory()) {
    if (rules.shape === 'file' || rules.force) return;
    throw new ExportTargetError(`${target} is an existing file; the export writes a folder there and would remove it`, target, true);
  }
  const entries = await readdir(target);
  const runInside = await holdsRun(target, entries);
  if (runInside)
    throw never(
      runInside === target
        ? 'is a run folder, which is never written over'
        : `holds the run folder ${runInside}, which is never written over`,
    );
  if (rules.force || (rules.shape === 'folder' && entries.length === 0)) return;
  const contents = entries.length === 0 ? 'an empty folder' : `a folder with ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}`;
  const writes = rules.shape === 'file' ? 'writes a file' : 'writes a new folder';
  throw new ExportTargetError(`${target} is ${contents}; the export ${writes} there and would remove it`, target, true);
}
