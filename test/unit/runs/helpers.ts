/** Shared pieces of the run-store tests: small runs, weight comparison, and file systems that fail on cue. */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { nodeFileOps, type FileOps } from '../../../main/platform/replace-file.js';
import type { EngineBackend } from '../../../main/engine/tf-types.js';
import type { RunContext } from '../../../main/runs/run-training.js';

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), `lb-${prefix}-`));
}

/** The float32 weights a model folder holds (model.json's manifest order). */
export async function weightsIn(dir: string): Promise<Float32Array> {
  const bytes = await readFile(path.join(dir, 'weights.bin'));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return Number.isNaN(m) ? Infinity : m;
}

const WRITES = ['mkdir', 'writeFile', 'fsync', 'rename'] as const;

/**
 * A FileOps whose n-th write-like operation (mkdir, write, fsync, rename) fails with `code` (or runs
 * `onFault` instead, e.g. to kill the process there); every other call goes to the real file system.
 */
export function faultyFs(n: number, code = 'ENOSPC', onFault?: (op: string, target: string) => void): { fs: FileOps; calls: () => number; log: string[] } {
  let count = 0;
  const log: string[] = [];
  const fs = { ...nodeFileOps } as FileOps;
  for (const op of WRITES) {
    const real = nodeFileOps[op] as (...a: unknown[]) => Promise<void>;
    (fs as unknown as Record<string, unknown>)[op] = async (...args: unknown[]) => {
      count++;
      log.push(`${op} ${String(args[0])}`);
      if (count === n) {
        onFault?.(op, String(args[0]));
        throw Object.assign(new Error(`${code}: injected fault at ${op} ${String(args[0])}`), { code });
      }
      return real(...args);
    };
  }
  return { fs, calls: () => count, log };
}

export function ctxOf(backend: EngineBackend, extra: Partial<RunContext> = {}): RunContext {
  return { backend, batchEventIntervalMs: 1e9, ...extra };
}
