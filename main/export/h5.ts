/** The HDF5 library (h5wasm: the HDF5 C library compiled to WebAssembly, reading and writing real files). */
import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import h5wasm from 'h5wasm/node';

export type H5File = InstanceType<typeof h5wasm.File>;
export type H5Group = ReturnType<H5File['create_group']>;

/** Opens `file` ('w' creates or truncates it, 'r' reads it), runs `work`, and always closes the file. */
export async function withH5<T>(file: string, mode: 'w' | 'r', work: (f: H5File) => T): Promise<T> {
  await h5wasm.ready;
  if (mode === 'w') await mkdir(path.dirname(file), { recursive: true });
  else await access(file); // the library's own message for a missing file is only "name not defined"
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
