// @ts-check
// Builds tfjs-node's N-API binding from source against deps/, with npm's bundled node-gyp and the local
// Node headers, so nothing is downloaded.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { exists, fail, log, run, tail, which } from './shell.mjs';
import { bindingFiles, removeBuild } from './tfjs-node.mjs';

/** @param {string} repoRoot */
function nodeGypPath(repoRoot) {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  const npm = which('npm');
  const npmCli = process.env.npm_execpath || (npm && fs.realpathSync(npm));
  if (npmCli) candidates.push(path.join(path.dirname(npmCli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  const prefix = path.dirname(path.dirname(process.execPath));
  candidates.push(path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  try {
    const local = createRequire(path.join(repoRoot, 'package.json')).resolve('node-gyp/package.json');
    candidates.push(path.join(path.dirname(local), 'bin', 'node-gyp.js'));
  } catch {
    /* not installed locally */
  }
  return candidates.find(exists);
}

/** A --nodedir with Node's headers, so node-gyp needs no download. */
function nodeDir() {
  const prefix = path.dirname(path.dirname(process.execPath));
  for (const dir of [process.env.npm_config_nodedir, prefix, '/usr', '/usr/local']) {
    if (dir && exists(path.join(dir, 'include', 'node', 'node_api.h'))) return dir;
  }
  return undefined;
}

/**
 * Builds lib/napi-v<N>/tfjs_binding.node; throws SourceError with the compiler's last lines on failure.
 * @param {string} repoRoot
 * @param {import('./tfjs-node.mjs').TfjsNode} tfjs
 */
export function buildBinding(repoRoot, tfjs) {
  const gyp = nodeGypPath(repoRoot);
  const nd = nodeDir();
  let preGyp;
  try {
    const pkg = createRequire(path.join(tfjs.dir, 'package.json')).resolve('@mapbox/node-pre-gyp/package.json');
    preGyp = path.join(path.dirname(pkg), 'bin', 'node-pre-gyp');
  } catch {
    fail('@mapbox/node-pre-gyp (a dependency of tfjs-node) is not installed');
  }
  removeBuild(tfjs);
  const args = [preGyp, 'install', '--build-from-source', `--jobs=${Math.max(1, Math.min(2, os.cpus().length))}`];
  if (nd) args.push(`--nodedir=${nd}`);
  log(`building tfjs_binding.node (node-gyp ${gyp || 'from PATH'}, nodedir ${nd || 'default'})`);
  const t0 = Date.now();
  const r = run(process.execPath, args, {
    cwd: tfjs.dir,
    env: gyp ? { npm_config_node_gyp: gyp } : {},
    timeoutMs: 15 * 60 * 1000,
  });
  if (!r.ok || bindingFiles(tfjs).length === 0) {
    fail(`building the binding failed (${r.why || 'no tfjs_binding.node produced'}): ${tail(r.stderr + '\n' + r.stdout, 8)}`);
  }
  log(`binding built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
