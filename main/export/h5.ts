/** The HDF5 library (h5wasm: the HDF5 C library compiled to WebAssembly, reading and writing real files). */
import fs from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import h5wasm from 'h5wasm/node';

export type H5File = InstanceType<typeof h5wasm.File>;
export type H5Group = ReturnType<H5File['create_group']>;

/**
 * Opens `file` ('w' creates or truncates it, 'r' reads it), runs `work`, and always closes the file. A write
 * the library could not complete (disk full, I/O error) throws with the errno as `code`, and a written file
 * is read back in full before this returns, so a file that says it was written is whole.
 */
export async function withH5<T>(file: string, mode: 'w' | 'r', work: (f: H5File) => T): Promise<T> {
  await h5wasm.ready;
  if (mode === 'w') await mkdir(path.dirname(file), { recursive: true });
  else await access(file); // the library's own message for a missing file is only "name not defined"
  const result = openWorkClose(file, mode, work, mode === 'w');
  if (mode === 'w') openWorkClose(file, 'r', readEverything, true);
  return result;
}

/** With `strict`, any error the library reports fails the call; otherwise only a thrown error does. */
function openWorkClose<T>(file: string, mode: 'w' | 'r', work: (f: H5File) => T, strict: boolean): T {
  const { value, error, diagnostics } = capturingDiagnostics(() => {
    let f: H5File;
    try {
      f = new h5wasm.File(file, mode);
    } catch (e) {
      throw new Error(`cannot ${mode === 'w' ? 'create' : 'open'} the HDF5 file ${file}: ${e instanceof Error ? e.message : String(e)}`, {
        cause: e,
      });
    }
    try {
      return work(f);
    } finally {
      f.close();
    }
  });
  // HDF5 reports a failed write or read only on its error stack (h5wasm's calls and close still succeed).
  if (diagnostics && (strict || error)) throw h5Failure(file, mode, diagnostics, error);
  if (error) throw error;
  return value as T;
}

/** Reads every dataset and attribute, so a damaged part of the file shows up as HDF5 diagnostics. */
function readEverything(g: H5Group | H5File): void {
  for (const name of Object.keys(g.attrs)) void g.attrs[name].value;
  for (const key of g.keys()) {
    const child = g.get(key);
    if (child instanceof h5wasm.Group) readEverything(child);
    else if (child instanceof h5wasm.Dataset) {
      for (const name of Object.keys(child.attrs)) void child.attrs[name].value;
      void child.value;
    }
  }
}

const ERRNO_TEXT: [RegExp, string][] = [
  [/No space left on device/i, 'ENOSPC'],
  [/Disk quota exceeded/i, 'EDQUOT'],
  [/Input\/output error/i, 'EIO'],
  [/Permission denied/i, 'EACCES'],
];

function h5Failure(file: string, mode: 'w' | 'r', diagnostics: string, cause: unknown): Error {
  const code = ERRNO_TEXT.find(([re]) => re.test(diagnostics))?.[1];
  const libraryError =
    /error message = '([^']+)'/.exec(diagnostics)?.[1] ?? /minor: (.+)/.exec(diagnostics)?.[1]?.trim() ?? 'an unknown error';
  const e = new Error(`the HDF5 library could not ${mode === 'w' ? 'write' : 'read'} ${file}: ${libraryError}`, { cause });
  return Object.assign(e, { code, diagnostics });
}

/**
 * The HDF5 library (as WebAssembly with direct file access) prints its error stack, often 150 lines, straight
 * to file descriptor 2 through fs.writeSync. h5wasm calls are synchronous, so for the length of one call
 * those writes are taken aside: they stay out of the user's terminal and become the error instead.
 */
function capturingDiagnostics<T>(fn: () => T): { value?: T; error?: unknown; diagnostics: string } {
  const realWriteSync = fs.writeSync;
  let diagnostics = '';
  fs.writeSync = ((fd: number, data: string | NodeJS.ArrayBufferView, ...rest: unknown[]) => {
    if (fd !== 2) return (realWriteSync as (...a: unknown[]) => number)(fd, data, ...rest);
    const [offset, length] = rest as [number | undefined, number | undefined];
    const text =
      typeof data === 'string'
        ? data
        : Buffer.from(data.buffer, data.byteOffset + (offset ?? 0), length ?? data.byteLength - (offset ?? 0)).toString();
    diagnostics += text;
    return typeof data === 'string' ? Buffer.byteLength(text) : (length ?? data.byteLength);
  }) as typeof fs.writeSync;
  try {
    return { value: fn(), diagnostics };
  } catch (error) {
    return { error, diagnostics };
  } finally {
    fs.writeSync = realWriteSync;
  }
}

/** Creates (or returns) the group at `groupPath`, making each missing level on the way. */
export function ensureGroup(root: H5Group | H5File, groupPath: string): H5Group {
  let g = root as H5Group;
  for (const part of groupPath.split('/').filter(Boolean)) {
    const existing = g.keys().includes(part) ? g.get(part) : null;
    g = existing instanceof h5wasm.Group ? existing : g.create_group(part);
  }
  return g;
}

/** A float32 dataset (scalars have shape []). */
export function writeFloat32(group: H5Group, name: string, data: Float32Array, shape: number[]): void {
  group.create_dataset({ name, data, shape, dtype: '<f' });
}

/** A float32 array read back, whatever float width the file used (Keras writes float32; older files may differ). */
export function readFloat32(f: H5File, datasetPath: string): { shape: number[]; data: Float32Array } | undefined {
  const d = f.get(datasetPath);
  if (!(d instanceof h5wasm.Dataset)) return undefined;
  const value = d.value;
  const shape = d.shape ?? [];
  if (value instanceof Float32Array) return { shape, data: value };
  if (value instanceof Float64Array) return { shape, data: Float32Array.from(value) };
  if (typeof value === 'number') return { shape, data: Float32Array.of(value) };
  return undefined;
}

/** A string-list attribute (Keras's `layer_names`, `weight_names`); an empty list when absent or empty. */
export function readStringList(g: H5Group | H5File, name: string): string[] {
  const attr = g.attrs[name];
  if (!attr) return [];
  const v = attr.value;
  if (Array.isArray(v)) return v.map((s) => String(s));
  if (typeof v === 'string') return [v];
  return [];
}

export function readStringAttr(g: H5Group | H5File, name: string): string | undefined {
  const v = g.attrs[name]?.value;
  return typeof v === 'string' ? v : undefined;
}

export function isH5Group(v: unknown): v is H5Group {
  return v instanceof h5wasm.Group;
}
