// tfjs-node 4.22 calls util.isNullOrUndefined and util.isArray (dist/nodejs_kernel_backend.js,
// dist/kernels/TopK.js); Node >= 23 removed them (tfjs#8609), and Electron bundles a newer Node.
// These are the only removed `util` functions tfjs-node and its runtime dependencies call
// (checked by scanning every module require('@tensorflow/tfjs-node') loads).
import util from 'node:util';

type Shim = (value: unknown) => boolean;

export const UTIL_SHIMS: Readonly<Record<'isNullOrUndefined' | 'isArray', Shim>> = {
  isNullOrUndefined: (value) => value === null || value === undefined,
  isArray: (value) => Array.isArray(value),
};

/** Adds the shims that are missing from node:util; returns the names it added. */
export function installUtilShims(): string[] {
  const target = util as unknown as Record<string, unknown>;
  const added: string[] = [];
  for (const [name, fn] of Object.entries(UTIL_SHIMS)) {
    if (typeof target[name] !== 'function') {
      Object.defineProperty(target, name, { value: fn, writable: true, configurable: true, enumerable: false });
      added.push(name);
    }
  }
  return added;
}
