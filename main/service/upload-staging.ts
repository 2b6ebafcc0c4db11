/**
 * Uploaded files written to disk for a training process to read: a fresh folder of their own under the data
 * folder's uploads/, removed when the job ends whatever happened. Names were checked as plain file names by
 * the request schema (upload-schema.ts), so each file lands inside that folder.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { UploadedFile } from '../../common/contract.js';

export interface StagedFiles {
  dir: string;
  /** Each uploaded name with the path it was written to, in the order sent. */
  files: { name: string; path: string }[];
  /** Replaces the staging folder in `text` (an error message) so the user reads just the names they sent. */
  hidePaths(text: string): string;
}

export async function withStagedFiles<T>(
  uploadsDir: string,
  uploads: UploadedFile[],
  use: (staged: StagedFiles) => Promise<T>,
): Promise<T> {
  const dir = path.join(uploadsDir, randomUUID());
  try {
    await mkdir(dir, { recursive: true });
    const files: StagedFiles['files'] = [];
    for (const u of uploads) {
      const file = path.join(dir, u.name);
      if (path.dirname(file) !== dir) throw new Error(`refusing upload name ${JSON.stringify(u.name)}: not a plain file name`);
      await writeFile(file, Buffer.from(u.contentBase64, 'base64'));
      files.push({ name: u.name, path: file });
    }
    return await use({ dir, files, hidePaths: (text) => text.split(dir + path.sep).join('') });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
