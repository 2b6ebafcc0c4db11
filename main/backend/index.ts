// Picks the TensorFlow.js backend for the main process (and the CLI): native TensorFlow through
// @tensorflow/tfjs-node when scripts/native/setup.sh could install it, else wasm (with the kernels
// Layerbench adds so CNNs can train), else the pure-JS cpu backend. One backend per process.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tfjs from '@tensorflow/tfjs';
import { registerComposedKernels } from './fallback-kernels/index.js';
import { installUtilShims } from './util-shims.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface LoadedBackend {
  tf: typeof import('@tensorflow/tfjs');
  name: BackendName;
  native: boolean;
  /** Set when training will be slow or a feature is missing; show it to the user. */
  warning?: string;
  /** e.g. 'native TensorFlow 2.21.0 (libtensorflow_cc from the PyPI wheel tensorflow_cpu-2.21.0-cp313-cp313-manylinux_2_27_x86_64.whl)' */
  detail: string;
  /** Whether string tensors (tf.node.decodeImage / encodePng, ...) work; false on TF 1.x. */
  stringTensors?: boolean;
  /** Why native TensorFlow did not load, when it was tried and failed. */
  nativeError?: string;
}

export { installUtilShims, UTIL_SHIMS } from './util-shims.js';
export { registerComposedKernels, setBackpropFilterStrategy } from './fallback-kernels/index.js';
export type { BackpropFilterStrategy } from './fallback-kernels/index.js';

const BACKENDS: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/**
 * Fallback order when native TensorFlow is unavailable, by measurement (Keras CIFAR-10 CNN,
 * batch 32, one training step, 2-core x86_64; see scripts/native/NOTES.md): wasm 51 samples/s,
 * cpu 8.1 samples/s per CPU-second, both with Layerbench's composed kernels and both matching
 * tfjs-backend-cpu's gradients; native TensorFlow 2.21 ~780 samples/s.
 */
export const FALLBACK_ORDER: readonly Exclude<BackendName, 'tensorflow'>[] = ['wasm', 'cpu'];

const SLOWDOWN: Record<Exclude<BackendName, 'tensorflow'>, string> = {
  wasm: 'roughly 15x slower',
  cpu: 'roughly 100x slower',
};

const require = createRequire(import.meta.url);
const NATIVE_MODULE = '@tensorflow/tfjs-node';

interface NativeState {
  source?: string;
  detail?: string;
  tfVersion?: string;
  strings?: boolean;
}

function errorText(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0]?.trim() || 'unknown error';
}

/** The record scripts/native/install-native.mjs leaves next to the library it installed. */
function readNativeState(): NativeState | undefined {
  try {
    const dir = path.dirname(require.resolve('@tensorflow/tfjs-node/package.json'));
    return JSON.parse(fs.readFileSync(path.join(dir, 'deps', 'layerbench-native.json'), 'utf8')) as NativeState;
  } catch {
    return undefined;
  }
}

const ORIGIN: Record<string, string> = {
  pypi: 'libtensorflow_cc from the PyPI tensorflow-cpu wheel',
  official: 'libtensorflow from Google storage',
  lambda: 'libtensorflow 1.15 from npm tfjs-node-lambda-releases',
  user: 'your libtensorflow, LAYERBENCH_LIBTENSORFLOW',
  preinstalled: "libtensorflow installed by tfjs-node's own install",
};

async function loadNative(moduleId: string): Promise<LoadedBackend> {
  installUtilShims();
  // TensorFlow's C++ INFO lines (oneDNN, CPU features) are noise for users; warnings stay.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '1';
  const tf = require(moduleId) as typeof import('@tensorflow/tfjs');
  if (!(await tf.setBackend('tensorflow'))) throw new Error("the 'tensorflow' backend failed to initialise");
  await tf.ready();
  if (tf.getBackend() !== 'tensorflow') throw new Error(`backend is '${tf.getBackend()}' after loading tfjs-node`);
  // A tiny op: a library that loads but cannot run kernels is caught here, not mid-training.
  const probe = tf.tidy(() =>
    tf.conv2d(tf.ones([1, 3, 3, 1]) as tfjs.Tensor4D, tf.ones([2, 2, 1, 1]) as tfjs.Tensor4D, 1, 'valid').dataSync(),
  );
  if (probe.length !== 4 || probe.some((v) => v !== 4)) throw new Error(`native conv2d returned ${Array.from(probe)}`);

  let version = 'unknown';
  try {
    const backend = tf.backend() as unknown as { binding?: { TF_Version?: string } };
    version = backend.binding?.TF_Version ?? version;
  } catch {
    /* keep 'unknown' */
  }
  const state = readNativeState();
  const origin = state?.source ? (ORIGIN[state.source] ?? state.source) : 'libtensorflow in tfjs-node/deps';
  const stringTensors = state?.strings ?? !version.startsWith('1.');
  const loaded: LoadedBackend = {
    tf,
    name: 'tensorflow',
    native: true,
    detail: `native TensorFlow ${version} (${origin})`,
    stringTensors,
  };
  if (!stringTensors) {
    loaded.warning =
      `Native TensorFlow ${version} has no TF_TString support: string tensors (tf.node.decodeImage, encodePng, ...) ` +
      'abort the process. Numeric training works. Re-run scripts/native/setup.sh --force with PyPI reachable for TensorFlow 2.x.';
  }
  return loaded;
}

async function activateFallback(name: Exclude<BackendName, 'tensorflow'>): Promise<typeof import('@tensorflow/tfjs')> {
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
    for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) {
      if (!fs.existsSync(path.join(dist, f))) throw new Error(`${f} is missing from ${dist}`);
    }
    wasm.setWasmPaths(dist + path.sep);
  }
  if (!(await tfjs.setBackend(name))) throw new Error(`the '${name}' backend failed to initialise`);
  await tfjs.ready();
  registerComposedKernels(name);
  return tfjs;
}

function parsePrefer(value: string | undefined, from: string): BackendName | undefined {
  if (value === undefined || value === '') return undefined;
  if ((BACKENDS as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`${from}=${value} is not one of ${BACKENDS.join(', ')}`);
}

async function load(prefer: BackendName | undefined, forcedBy: string, nativeModule: string): Promise<LoadedBackend> {
  let nativeError: string | undefined;
  if (prefer === undefined || prefer === 'tensorflow') {
    try {
      return await loadNative(nativeModule);
    } catch (e) {
      nativeError = errorText(e);
      if (prefer === 'tensorflow')
        throw new Error(`${forcedBy} asks for native TensorFlow, which did not load: ${nativeError}`, { cause: e });
    }
  }
  const order = prefer === undefined ? FALLBACK_ORDER : [prefer];
  const fallbackErrors: string[] = [];
  for (const name of order) {
    try {
      const tf = await activateFallback(name);
      const why = nativeError
        ? `Native TensorFlow (@tensorflow/tfjs-node) did not load: ${nativeError}.`
        : `Backend '${name}' was forced by ${forcedBy}; native TensorFlow was not tried.`;
      const earlier = fallbackErrors.length ? ` (${fallbackErrors.join('; ')})` : '';
      const warning =
        `${why} Using the ${name === 'wasm' ? 'WebAssembly (wasm)' : 'pure-JavaScript cpu'} backend${earlier}: ` +
        `training convolutional networks is ${SLOWDOWN[name]} than with native TensorFlow. ` +
        'Run `npm run setup` (scripts/native/setup.sh) to install native TensorFlow.';
      return {
        tf,
        name,
        native: false,
        warning,
        detail:
          name === 'wasm'
            ? 'TensorFlow.js wasm backend (SIMD, 1 thread) with Layerbench training kernels'
            : 'TensorFlow.js pure-JS cpu backend',
        stringTensors: false,
        nativeError,
      };
    } catch (e) {
      fallbackErrors.push(`${name} failed: ${errorText(e)}`);
    }
  }
  throw new Error(`No TensorFlow.js backend could be loaded. native: ${nativeError ?? 'not tried'}; ${fallbackErrors.join('; ')}`);
}

let current: Promise<LoadedBackend> | undefined;

/**
 * Loads the fastest working backend once per process; later calls return the same result
 * (their `prefer` is ignored). `prefer` or env LAYERBENCH_BACKEND=tensorflow|wasm|cpu forces one:
 * forcing 'tensorflow' rejects when native TensorFlow cannot load.
 */
export function loadBackend(opts: { prefer?: BackendName } = {}): Promise<LoadedBackend> {
  if (!current) {
    current = (async () => {
      const prefer = opts.prefer ?? parsePrefer(process.env.LAYERBENCH_BACKEND, 'LAYERBENCH_BACKEND');
      const forcedBy = opts.prefer ? 'loadBackend({ prefer })' : 'LAYERBENCH_BACKEND';
      return load(prefer, forcedBy, NATIVE_MODULE);
    })();
    current.catch(() => (current = undefined));
  }
  return current;
}

/**
 * Loads without the per-process cache. For tests and diagnostics: `nativeModule` replaces
 * '@tensorflow/tfjs-node' (e.g. a module that throws, to exercise the fallback).
 */
export function loadBackendUncached(opts: { prefer?: BackendName; nativeModule?: string } = {}): Promise<LoadedBackend> {
  return load(opts.prefer, 'loadBackendUncached({ prefer })', opts.nativeModule ?? NATIVE_MODULE);
}

/** Test hook: forget the loaded backend so the next loadBackend() decides again. */
export function resetBackendForTests(): void {
  current = undefined;
}
