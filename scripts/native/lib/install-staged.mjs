// @ts-check
// One staged libtensorflow into tfjs-node: deps/, the binding built, verified, and the state file written.
import { installDeps } from './deps.mjs';
import { buildBinding } from './build-binding.mjs';
import { fail } from './shell.mjs';
import { writeState } from './tfjs-node.mjs';
import { verify } from './verify.mjs';

/**
 * Throws SourceError when the build or the verification fails.
 * @param {object} args
 * @param {string} args.repoRoot
 * @param {import('./tfjs-node.mjs').TfjsNode} args.tfjs
 * @param {string} args.source
 * @param {import('./deps.mjs').Staged} args.staged
 * @param {boolean} args.bench
 * @returns {import('./tfjs-node.mjs').NativeState}
 */
export function installStaged({ repoRoot, tfjs, source, staged, bench }) {
  const { standIn } = installDeps(tfjs, staged);
  buildBinding(repoRoot, tfjs);
  const res = verify(repoRoot, bench ? ['--bench'] : []);
  if (!res.ok) fail(`verification failed: ${res.error}`);
  // String tensors are checked apart: on TensorFlow 1.x they abort the process.
  const strings = verify(repoRoot, ['--strings'], 60 * 1000);
  /** @type {import('./tfjs-node.mjs').NativeState} */
  const state = {
    source,
    detail: `${staged.detail}${res.tfVersion ? `, TensorFlow ${res.tfVersion}` : ''}`,
    tfVersion: res.tfVersion,
    strings: strings.ok,
    stringsError: strings.ok ? undefined : strings.error,
    standInHeader: standIn,
    userPath: staged.userPath,
    bench: res.bench,
    tfjsNode: tfjs.version,
    node: process.version,
    builtAt: new Date().toISOString(),
  };
  writeState(tfjs, state);
  return state;
}
