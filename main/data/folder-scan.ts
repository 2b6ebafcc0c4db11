/**
 * Lists an image folder laid out as Keras `image_dataset_from_directory` reads it: one subfolder per class
 * (sorted by name gives the label order), images anywhere below it. Files without an image extension are
 * counted as skipped without being opened, so a folder of 100,000 stray files costs one directory read.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { DatasetError } from './dataset.js';
import type { SkipLog } from './skip-log.js';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.bmp', '.gif'];

export interface ImageFileEntry {
  /** Absolute path. */
  file: string;
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

async function listDir(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw cannotRead(dir, e);
  }
}

async function isDir(entry: Dirent, full: string): Promise<boolean> {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return (await stat(full)).isDirectory();
  } catch {
    return false;
  }
}

async function walkClass(dir: string, label: number, out: ImageFileEntry[], skips: SkipLog): Promise<void> {
  const entries = (await listDir(dir)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.name.startsWith('.')) continue; // .DS_Store, editor swap files: never data
    if (await isDir(entry, full)) {
      await walkClass(full, label, out, skips);
      continue;
    }
    if (!IMAGE_EXTENSIONS.includes(path.extname(entry.name).toLowerCase())) {
      skips.add(full, 'not an image file name (extension is not .jpg, .jpeg, .png, .webp, .bmp or .gif)');
      continue;
    }
    try {
      const info = await stat(full);
      out.push({ file: full, label, size: info.size, mtimeMs: info.mtimeMs });
    } catch (e) {
      skips.add(full, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
}

/** Scans `root` for class subfolders; `classNames` fixes the label order (a test root uses the train classes). */
export async function scanImageFolder(root: string, skips: SkipLog, classNames?: string[]): Promise<ScannedFolder> {
  const entries = await listDir(root);
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
  const files: ImageFileEntry[] = [];
  for (const name of dirs) await walkClass(path.join(root, name), names.indexOf(name), files, skips);
  return { root, classNames: names, files, classDirs: names.map((n) => path.join(root, n)) };
}
