// @ts-check
// The user's own libtensorflow (LAYERBENCH_LIBTENSORFLOW), for air-gapped workstations: a folder with
// lib/ + include/, a libtensorflow .tar.gz, a tensorflow(-cpu) .whl or an unpacked wheel's tensorflow/.
import fs from 'node:fs';
import path from 'node:path';
import { findLibs } from '../deps.mjs';
import { exists, fail, mkdirp, rm, run, shortHash, tail } from '../shell.mjs';
import { extractWheel } from '../wheel.mjs';

/**
 * @param {import('./context.mjs').SourceContext} ctx
 * @returns {import('./context.mjs').Source}
 */
export function userSource(ctx) {
  const given = ctx.env.LAYERBENCH_LIBTENSORFLOW;
  return { name: 'user', enabled: Boolean(given), stage: async () => stageUser(ctx, given || '') };
}

/**
 * @param {import('./context.mjs').SourceContext} ctx
 * @param {string} given
 */
function stageUser(ctx, given) {
  if (!given) fail('LAYERBENCH_LIBTENSORFLOW is not set');
  const p = path.resolve(given);
  if (!exists(p)) fail(`LAYERBENCH_LIBTENSORFLOW=${given} does not exist`);
  const st = fs.statSync(p);
  let root = p;
  if (st.isFile()) {
    root = path.join(ctx.cacheRoot, 'user', `${path.basename(p)}-${st.size}-${shortHash(p + st.mtimeMs)}`);
    if (p.endsWith('.whl')) extractWheel(p, root);
    else if (/\.(tar\.gz|tgz)$/.test(p)) untar(p, root);
    else fail(`LAYERBENCH_LIBTENSORFLOW=${given}: expected a folder, a .tar.gz or a .whl`);
  }
  // Layouts: <root>/{lib,include} (libtensorflow tarball), an unpacked wheel's tensorflow/ folder,
  // or a folder holding such a tensorflow/ folder.
  const layouts = [
    { libDir: path.join(root, 'lib'), includeDir: path.join(root, 'include') },
    { libDir: root, includeDir: path.join(root, 'include') },
    { libDir: path.join(root, 'tensorflow'), includeDir: path.join(root, 'tensorflow', 'include') },
  ];
  const hit = layouts.find((l) => findLibs(l.libDir).main && exists(path.join(l.includeDir, 'tensorflow', 'c', 'c_api.h')));
  if (!hit) fail(`LAYERBENCH_LIBTENSORFLOW=${given}: found no lib/libtensorflow*.so* with include/tensorflow/c/c_api.h`);
  return { ...hit, detail: `your libtensorflow (LAYERBENCH_LIBTENSORFLOW=${given})`, userPath: p };
}

/**
 * @param {string} tgz
 * @param {string} root
 */
function untar(tgz, root) {
  if (exists(path.join(root, '.complete'))) return;
  rm(root);
  mkdirp(root);
  const r = run('tar', ['-xzf', tgz, '-C', root], { timeoutMs: 10 * 60 * 1000 });
  if (!r.ok) fail(`tar -xzf ${tgz} failed: ${tail(r.stderr, 3) || r.why}`);
  fs.writeFileSync(path.join(root, '.complete'), '');
}
