// @ts-check
// libtensorflow 1.15 inside the npm package tfjs-node-lambda-releases: needs only the npm registry, but
// string tensors do not work with it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { findLibs } from '../deps.mjs';
import { SourceError, exists, fail, log, mkdirp, rm, run, tail, which } from '../shell.mjs';

const LAMBDA_PACKAGE = 'tfjs-node-lambda-releases@1.6.1';
const LAMBDA_RELEASE = 'nodejs12.x-tf2.7.0.br';

/**
 * @param {import('./context.mjs').SourceContext} ctx
 * @returns {import('./context.mjs').Source}
 */
export function lambdaSource(ctx) {
  return { name: 'lambda', enabled: true, stage: () => stageLambda(ctx) };
}

/** @param {import('./context.mjs').SourceContext} ctx */
async function stageLambda(ctx) {
  if (ctx.platform !== 'linux' || ctx.arch !== 'x64') fail('tfjs-node-lambda-releases holds Linux x86_64 libraries only');
  const dir = path.join(ctx.cacheRoot, 'lambda');
  const root = path.join(dir, LAMBDA_RELEASE.replace(/\.br$/, ''));
  if (!exists(path.join(root, '.complete'))) {
    mkdirp(dir);
    const tgzName = `${LAMBDA_PACKAGE.replace('@', '-')}.tgz`;
    const tgz = path.join(dir, tgzName);
    if (!exists(tgz)) {
      log(`npm pack ${LAMBDA_PACKAGE} (195 MB) ...`);
      const npm = which('npm');
      if (!npm) fail('npm not found');
      const r = run(npm, ['pack', LAMBDA_PACKAGE, '--pack-destination', dir, '--silent'], { timeoutMs: 20 * 60 * 1000 });
      if (!r.ok || !exists(tgz)) fail(`npm pack ${LAMBDA_PACKAGE} failed (${r.why || 'no tarball'}): ${tail(r.stderr, 3)}`);
    }
    const tmp = `${root}.tmp`;
    rm(tmp);
    mkdirp(tmp);
    const r1 = run('tar', ['-xzf', tgz, '-C', tmp, `package/${LAMBDA_RELEASE}`], { timeoutMs: 10 * 60 * 1000 });
    if (!r1.ok) fail(`unpacking ${tgzName} failed: ${tail(r1.stderr, 3) || r1.why}`);
    await untarTfjsDeps(path.join(tmp, 'package', LAMBDA_RELEASE), tmp).catch((e) =>
      fail(`unpacking ${LAMBDA_RELEASE} failed: ${e instanceof Error ? e.message : String(e)}`),
    );
    rm(path.join(tmp, 'package'));
    if (!findLibs(path.join(tmp, 'lib')).main) fail(`${LAMBDA_RELEASE} holds no libtensorflow`);
    rm(root);
    fs.renameSync(tmp, root);
    fs.writeFileSync(path.join(root, '.complete'), '');
  }
  return {
    libDir: path.join(root, 'lib'),
    includeDir: path.join(root, 'include'),
    detail: `libtensorflow 1.15 from npm ${LAMBDA_PACKAGE} (string tensors unsupported)`,
  };
}

/**
 * The release is a brotli-compressed tar of a node_modules tree; only tfjs-node's deps/ is kept.
 * @param {string} br
 * @param {string} dest
 * @returns {Promise<void>}
 */
function untarTfjsDeps(br, dest) {
  return new Promise((resolve, reject) => {
    const tar = spawn('tar', ['-x', '-C', dest, '--strip-components=4', 'node_modules/@tensorflow/tfjs-node/deps'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let err = '';
    tar.stderr.on('data', (d) => (err += d));
    tar.on('error', reject);
    tar.on('close', (code) => (code === 0 ? resolve() : reject(new SourceError(`tar: ${tail(err, 3)}`))));
    fs.createReadStream(br).on('error', reject).pipe(zlib.createBrotliDecompress()).on('error', reject).pipe(tar.stdin);
  });
}
