/**
 * Lists an image folder laid out as Keras `image_dataset_from_directory` reads it: one subfolder per class
 * (sorted by name gives the label order), images anywhere below it. Files without an image extension are
 * counted as skipped without being opened, so a folder of 100,000 stray files costs one directory read.
 * Each real folder is listed once (symlinks back up the tree would otherwise loop or count a class's images
 * under another), and the walk stops after `maxEntries` entries, so pointing it at `/` ends with an error.
 */
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { DatasetError } from './dataset.js';
import type { SkipLog } from './skip-log.js';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.bmp', '.gif'];

/** Entries (files and folders) one scan lists at most; ImageNet's training set has 1.3 million. */
export const MAX_SCANNED_ENTRIES = 2_000_000;

export interface ImageFileEntry {
  /** Absolute path; a name that is not UTF-8 shows its bytes as \xNN here. */
  file: string;
  /** The path as bytes, to open a file whose name is not UTF-8 (absent otherwise). */
  readPath?: Buffer;
  label: number;
  size: number;
  mtimeMs: number;
}

export interface ScannedFolder {
  root: string;
  classNames: string[];
  files: ImageFileEntry[];
  /** Class folders by name, to name them in messages. */
  classDirs: string[];
}

export interface ScanOptions {
  /** The train/ and test/ scans share it, so together they list each real folder once. */
  visited?: Set<string>;
  maxEntries?: number;
  /** Called after each folder is listed, with the number of entries listed so far. */
  onEntries?: (entries: number) => void;
  signal?: AbortSignal;
}

function cannotRead(where: string, e: unknown): DatasetError {
  const code = (e as NodeJS.ErrnoException).code;
  const what =
    code === 'ENOENT'
      ? 'no such folder'
      : code === 'ENOTDIR'
        ? 'is a file, not a folder'
        : `cannot be read (${code ?? (e as Error).message})`;
  return new DatasetError(`${where}: ${what}`, where);
}

/** Bytes of a name outside printable ASCII as \xNN, so a name that is not UTF-8 can still be named. */
function escapedName(name: Buffer): string {
  return [...name]
    .map((b) => (b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`))
    .join('');
}

const NOT_UTF8_FOLDER = 'the folder name is not valid UTF-8 (bytes shown as \\xNN); rename it to import its images';

class Walk {
  readonly visited: Set<string>;
  private entries = 0;
  /** The bytes of file names that are not UTF-8: such files are opened by a Buffer path. */
  private readonly rawNames = new Map<Dirent, Buffer>();

  constructor(
    private readonly root: string,
    private readonly skips: SkipLog,
    private readonly options: ScanOptions,
  ) {
    this.visited = options.visited ?? new Set();
  }

  /**
   * Lists `dir`, sorted by name; a file name that is not UTF-8 is kept by its bytes (its `name` shows them
   * escaped), a folder name that is not UTF-8 is skipped. The root
   * that cannot be read is an error; a folder below it that cannot be read (gone, no permission) is skipped.
   */
  async list(dir: string, isRoot = false): Promise<Dirent[]> {
    this.options.signal?.throwIfAborted();
    let raw: Dirent<Buffer>[];
    try {
      raw = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
    } catch (e) {
      if (isRoot) throw cannotRead(dir, e);
      this.skips.add(dir, `folder cannot be listed (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      return [];
    }
    this.entries += raw.length;
    const max = this.options.maxEntries ?? MAX_SCANNED_ENTRIES;
    if (this.entries > max) {
      throw new DatasetError(
        `${this.root}: more than ${max.toLocaleString('en-US')} files and folders below it; is this the dataset's folder? ` +
          'Pick the folder that holds one subfolder per class',
        this.root,
      );
    }
    this.options.onEntries?.(this.entries);
    const named: Dirent[] = [];
    for (const entry of raw) {
      const name = entry.name.toString('utf8');
      if (Buffer.from(name, 'utf8').equals(entry.name)) {
        named.push(Object.assign(entry, { name }) as unknown as Dirent);
        continue;
      }
      const bytes = entry.name;
      const shown = Object.assign(entry, { name: escapedName(bytes) }) as unknown as Dirent;
      if (entry.isDirectory()) this.skips.add(path.join(dir, shown.name), NOT_UTF8_FOLDER);
      else {
        this.rawNames.set(shown, Buffer.concat([Buffer.from(dir + path.sep), bytes]));
        named.push(shown);
      }
    }
    return named.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** True the first time a real folder is seen; a folder reached again is listed as skipped. */
  async firstVisit(dir: string): Promise<boolean> {
    const real = await realpath(dir).catch(() => dir);
    if (!this.visited.has(real)) {
      this.visited.add(real);
      return true;
    }
    // The reason's first clause is the same for every such link, so the report counts them together.
    this.skips.add(dir, `a link to a folder already scanned: ${real} (a symlink loop or a second link to it)`);
    return false;
  }

  async walkClass(dir: string, label: number, out: ImageFileEntry[]): Promise<void> {
    for (const entry of await this.list(dir)) {
      const full = path.join(dir, entry.name);
      const readPath = this.rawNames.get(entry);
      if (entry.name.startsWith('.')) continue; // .DS_Store, editor swap files: never data
      if (await isDir(entry, readPath ?? full)) {
        if (readPath) {
          this.skips.add(full, NOT_UTF8_FOLDER);
          continue;
        }
        if (await this.firstVisit(full)) await this.walkClass(full, label, out);
        continue;
      }
      if (!IMAGE_EXTENSIONS.includes(path.extname(entry.name).toLowerCase())) {
        this.skips.add(full, 'not an image file name (extension is not .jpg, .jpeg, .png, .webp, .bmp or .gif)');
        continue;
      }
      try {
        const info = await stat(readPath ?? full);
        if (!info.isFile()) this.skips.add(full, 'not a regular file (a device, pipe or socket)');
        else out.push({ file: full, ...(readPath ? { readPath } : {}), label, size: info.size, mtimeMs: info.mtimeMs });
      } catch (e) {
        this.skips.add(full, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
    }
  }
}

async function isDir(entry: Dirent, full: string | Buffer): Promise<boolean> {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return (await stat(full)).isDirectory();
  } catch {
    return false;
  }
}

/** Scans `root` for class subfolders; `classNames` fixes the label order (a test root uses the train classes). */
export async function scanImageFolder(
  root: string,
  skips: SkipLog,
  classNames?: string[],
  options: ScanOptions = {},
): Promise<ScannedFolder> {
  const walk = new Walk(root, skips, options);
  const entries = await walk.list(root, true);
  await walk.firstVisit(root);
  const dirs: string[] = [];
  for (const entry of entries) {
    const full = path.join(root, entry.name);
    if (entry.name.startsWith('.')) continue;
    if (await isDir(entry, full)) dirs.push(entry.name);
    else skips.add(full, 'not inside a class folder (images go in one subfolder per class)');
  }
  dirs.sort();
  const names = classNames ?? dirs;
  if (names.length === 0) {
    throw new DatasetError(
      `${root}: no class folders found; put each class's images in its own subfolder, e.g. ${path.join(root, 'cat', '0001.png')}`,
      root,
    );
  }
  const unknown = classNames ? dirs.filter((d) => !classNames.includes(d)) : [];
  if (unknown.length > 0) {
    throw new DatasetError(
      `${root}: class folder(s) ${unknown.map((u) => `"${u}"`).join(', ')} do not exist in the training folder`,
      path.join(root, unknown[0]),
    );
  }
  // Class folders are claimed before any is walked, so a link inside one class never lists another's images.
  const claimed: string[] = [];
  for (const name of dirs) if (await walk.firstVisit(path.join(root, name))) claimed.push(name);
  const files: ImageFileEntry[] = [];
  for (const name of claimed) await walk.walkClass(path.join(root, name), names.indexOf(name), files);
  return { root, classNames: names, files, classDirs: names.map((n) => path.join(root, n)) };
}
