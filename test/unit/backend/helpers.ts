// Shared helpers for the backend tests.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

const require = createRequire(import.meta.url);

/** Whether scripts/native/setup.sh has built tfjs-node's binding with a libtensorflow. */
export function nativeBuilt(): boolean {
  try {
    const dir = path.dirname(require.resolve('@tensorflow/tfjs-node/package.json'));
    const lib = path.join(dir, 'lib');
    const hasBinding = fs.existsSync(lib) && fs.readdirSync(lib).some((d) => fs.existsSync(path.join(lib, d, 'tfjs_binding.node')));
    return hasBinding && fs.existsSync(path.join(dir, 'deps', 'lib', 'libtensorflow.so.2.9.1'));
  } catch {
    return false;
  }
}

let wasmReady = false;

/** Initialises the wasm backend from node_modules (no network). */
export async function useWasm(): Promise<void> {
  if (!wasmReady) {
    const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
    setWasmPaths(dist + path.sep);
    wasmReady = true;
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend did not initialise');
  await tf.ready();
}

export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** Deterministic values in [-0.5, 0.5). */
export function seeded(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  }
  return out;
}

/** Largest absolute difference; shapes must match. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] as number));
  return m;
}

/** Number of data buffers the active backend holds (to catch leaks inside kernels). */
export function backendBuffers(): number {
  return (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
}
