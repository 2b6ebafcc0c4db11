/**
 * The few file operations an atomic save needs, behind an interface so tests can inject a fault (ENOSPC,
 * EIO, a crash) at any single step and check that nothing already saved is lost.
 */
import { constants } from 'node:fs';
import * as fsp from 'node:fs/promises';

export interface DurableFs {
  mkdir(dir: string): Promise<void>;
  /** Writes and fsyncs a file, so a power cut after this returns cannot leave it half-written. */
  writeFileDurable(file: string, data: Uint8Array | string): Promise<void>;
  fsyncDir(dir: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(target: string): Promise<void>;
  exists(target: string): Promise<boolean>;
  readdir(dir: string): Promise<string[]>;
}

export const nodeDurableFs: DurableFs = {
  async mkdir(dir) {
    await fsp.mkdir(dir, { recursive: true });
  },
  async writeFileDurable(file, data) {
    const handle = await fsp.open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  async fsyncDir(dir) {
    const handle = await fsp.open(dir, constants.O_RDONLY);
    try {
      await handle.sync();
    } catch (e) {
      // Some file systems (and Windows) cannot fsync a directory; the rename is still atomic there.
      if ((e as NodeJS.ErrnoException).code !== 'EINVAL' && (e as NodeJS.ErrnoException).code !== 'EISDIR') throw e;
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
    try {
      await fsp.access(target);
      return true;
    } catch {
      return false;
    }
  },
  async readdir(dir) {
    return fsp.readdir(dir);
  },
};
