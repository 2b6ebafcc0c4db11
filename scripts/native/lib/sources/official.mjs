// @ts-check
// The libtensorflow tfjs-node's own install script downloads (Google storage), honouring the same
// variables and scripts/custom-binary.json.
import fs from 'node:fs';
import path from 'node:path';
import { download, exists, fail, log, mkdirp, rm, run, tail } from '../shell.mjs';
import { LIBTF_VERSION } from '../tfjs-node.mjs';

/**
 * @param {import('./context.mjs').SourceContext} ctx
 * @returns {import('./context.mjs').Source}
 */
export function officialSource(ctx) {
  return { name: 'official', enabled: true, stage: () => stageOfficial(ctx) };
}

/**
 * The URL tfjs-node's install.js would fetch on this machine.
 * @param {import('./context.mjs').SourceContext} ctx
 */
export function officialUrl(ctx) {
  const { env } = ctx;
  let custom;
  try {
    custom = JSON.parse(fs.readFileSync(path.join(ctx.tfjsNodeDir, 'scripts', 'custom-binary.json'), 'utf8'))['tf-lib'];
  } catch {
    custom = undefined;
  }
  if (custom) return String(custom);
  const host = env.TFJS_NODE_CDN_STORAGE || env.npm_config_TFJS_NODE_CDN_STORAGE || env.CDN_STORAGE || 'https://storage.googleapis.com/';
  const base = env.TFJS_NODE_BASE_URI || env.npm_config_TFJS_NODE_BASE_URI || `${host}tensorflow/libtensorflow/libtensorflow-`;
  if (ctx.platform === 'linux' && ctx.arch === 'x64') return `${base}cpu-linux-x86_64-${LIBTF_VERSION}.tar.gz`;
  if (ctx.platform === 'linux' && ctx.arch === 'arm64') return `${host}tf-builds/libtensorflow_r2_7_linux_arm64.tar.gz`;
  return fail(`no official libtensorflow for ${ctx.platform}-${ctx.arch} handled here (Linux only; use LAYERBENCH_LIBTENSORFLOW)`);
}

/** @param {import('./context.mjs').SourceContext} ctx */
async function stageOfficial(ctx) {
  const url = officialUrl(ctx);
  const tgz = path.join(ctx.cacheRoot, 'official', path.basename(new URL(url).pathname));
  const root = tgz.replace(/\.tar\.gz$|\.tgz$/, '');
  if (!exists(path.join(root, '.complete'))) {
    if (!exists(tgz)) {
      log(`downloading ${url}`);
      await download(url, tgz);
    }
    rm(root);
    mkdirp(root);
    const r = run('tar', ['-xzf', tgz, '-C', root], { timeoutMs: 10 * 60 * 1000 });
    if (!r.ok) {
      rm(tgz);
      fail(`unpacking ${tgz} failed: ${tail(r.stderr, 3) || r.why}`);
    }
    fs.writeFileSync(path.join(root, '.complete'), '');
  }
  return {
    libDir: path.join(root, 'lib'),
    includeDir: path.join(root, 'include'),
    detail: `libtensorflow ${LIBTF_VERSION} from Google storage (what tfjs-node's own install downloads)`,
  };
}
