// @ts-check
// Where @tensorflow/tfjs-node lives and the files of it the setup writes: deps/ (libtensorflow and headers,
// plus Layerbench's state file) and lib/napi-v*/tfjs_binding.node.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { exists, rm } from './shell.mjs';

/** The libtensorflow version tfjs-node 4.22's install.js looks for ("already downloaded" marker). */
export const LIBTF_VERSION = '2.9.1';

/**
 * @typedef {object} TfjsNode
 * @property {string} dir        the package folder
 * @property {string} version    its package.json version
 * @property {string} depsDir    deps/: what binding.gyp compiles and links against
 * @property {string} depsLib    deps/lib/
 * @property {string} stateFile  deps/layerbench-native.json: what was installed (main/backend reads it)
 * @property {string} markerLib  deps/lib/libtensorflow.so.<LIBTF_VERSION>
 */

/**
 * tfjs-node as resolved from the repository root, or undefined when it is not installed.
 * @param {string} repoRoot
 * @returns {TfjsNode | undefined}
 */
export function locateTfjsNode(repoRoot) {
  const rootRequire = createRequire(path.join(repoRoot, 'package.json'));
  let pkgJson;
  try {
    pkgJson = rootRequire.resolve('@tensorflow/tfjs-node/package.json');
  } catch {
    return undefined;
  }
  const dir = path.dirname(pkgJson);
  const depsDir = path.join(dir, 'deps');
  const depsLib = path.join(depsDir, 'lib');
  return {
    dir,
    version: JSON.parse(fs.readFileSync(pkgJson, 'utf8')).version,
    depsDir,
    depsLib,
    stateFile: path.join(depsDir, 'layerbench-native.json'),
    markerLib: path.join(depsLib, `libtensorflow.so.${LIBTF_VERSION}`),
  };
}

/**
 * The built bindings (lib/napi-v<N>/tfjs_binding.node).
 * @param {TfjsNode} tfjs
 */
export function bindingFiles(tfjs) {
  const libDir = path.join(tfjs.dir, 'lib');
  if (!exists(libDir)) return [];
  return fs
    .readdirSync(libDir)
    .filter((d) => d.startsWith('napi-v'))
    .map((d) => path.join(libDir, d, 'tfjs_binding.node'))
    .filter(exists);
}

/**
 * Removes the binding and the build folders.
 * @param {TfjsNode} tfjs
 */
export function removeBuild(tfjs) {
  for (const f of bindingFiles(tfjs)) rm(path.dirname(f));
  rm(path.join(tfjs.dir, 'build'));
  for (const d of fs.readdirSync(tfjs.dir)) if (d.startsWith('build-tmp-napi')) rm(path.join(tfjs.dir, d));
}

/**
 * @typedef {object} NativeState  what deps/layerbench-native.json records
 * @property {string} source
 * @property {string} detail
 * @property {string} [tfVersion]
 * @property {boolean} strings  whether string tensors (PNG round trip) work
 * @property {string} [stringsError]
 * @property {boolean} [standInHeader]
 * @property {string} [userPath]  LAYERBENCH_LIBTENSORFLOW as resolved, when that was the source
 * @property {Record<string, number>} [bench]
 * @property {string} [tfjsNode]
 * @property {string} [node]
 * @property {string} builtAt
 */

/**
 * @param {TfjsNode} tfjs
 * @returns {NativeState | undefined}
 */
export function readState(tfjs) {
  try {
    return JSON.parse(fs.readFileSync(tfjs.stateFile, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Writes the state file as a new file (never in place: node_modules may be hard-linked elsewhere).
 * @param {TfjsNode} tfjs
 * @param {NativeState} state
 */
export function writeState(tfjs, state) {
  rm(tfjs.stateFile);
  fs.writeFileSync(tfjs.stateFile, JSON.stringify(state, null, 2) + '\n');
}
