#!/usr/bin/env node
// @ts-check
// Provides libtensorflow for @tensorflow/tfjs-node without Google storage, builds tfjs-node's N-API
// binding from source and verifies it. Plain ESM JavaScript (type-checked by scripts/tsconfig.json) so
// that it runs before any TypeScript build. See scripts/native/NOTES.md.
//
// Usage: node scripts/native/install-native.mjs [--strict] [--force] [--bench]
//                                               [--sources=user,pypi,official,lambda]
//   --strict    exit 1 when no source works (default: warn loudly, exit 0)
//   --force     ignore an already verified install and rebuild
//   --bench     also time a small CNN training step and store it in the state file
//   --sources   try only these sources, in this order
//
// Environment:
//   LAYERBENCH_LIBTENSORFLOW     folder with lib/ + include/, a libtensorflow .tar.gz,
//                                a tensorflow(-cpu) .whl or its unpacked tensorflow/ folder
//   LAYERBENCH_TF_WHEEL_VERSION  TensorFlow version taken from PyPI (default in lib/sources/pypi.mjs)
//   LAYERBENCH_PYPI_INDEX        a PEP 691 simple index instead of PyPI (else PIP_INDEX_URL, else pypi.org)
//   LAYERBENCH_NATIVE_SOURCES    same as --sources
//   XDG_CACHE_HOME               downloads are cached in $XDG_CACHE_HOME/layerbench/native
//   TFJS_NODE_CDN_STORAGE / TFJS_NODE_BASE_URI  honoured like tfjs-node's own install
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installStaged } from './lib/install-staged.mjs';
import { UsageError, parseOptions } from './lib/options.mjs';
import { exists, log, rm } from './lib/shell.mjs';
import { machineContext } from './lib/sources/context.mjs';
import { lambdaSource } from './lib/sources/lambda.mjs';
import { officialSource } from './lib/sources/official.mjs';
import { pypiSource } from './lib/sources/pypi.mjs';
import { userSource } from './lib/sources/user.mjs';
import { bindingFiles, locateTfjsNode, readState, removeBuild, writeState } from './lib/tfjs-node.mjs';
import { failureReport, trySources } from './lib/try-sources.mjs';
import { verify } from './lib/verify.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Installs native TensorFlow unless a verified install is there; returns the exit code.
 * @param {string[]} argv
 * @param {NodeJS.ProcessEnv} env
 */
export async function main(argv, env) {
  const opts = parseOptions(argv, env);
  const tfjs = locateTfjsNode(repoRoot);
  if (!tfjs) {
    printReport([{ source: 'setup', reason: '@tensorflow/tfjs-node is not installed in node_modules (run npm ci first)' }]);
    return opts.strict ? 1 : 0;
  }
  if (!opts.force && keepsVerifiedInstall(tfjs, env, opts.bench)) return 0;

  const ctx = machineContext(tfjs.dir, env);
  const sources = [userSource(ctx), pypiSource(ctx), officialSource(ctx), lambdaSource(ctx)];
  const t0 = Date.now();
  const outcome = await trySources({
    order: opts.order,
    sources,
    install: (source, staged) => installStaged({ repoRoot, tfjs, source, staged, bench: opts.bench }),
    log,
  });
  if (outcome.ok) {
    const state = outcome.result;
    log(`OK: ${state.detail}; string tensors ${state.strings ? 'work' : 'do NOT work'} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    if (state.bench) log(`bench (samples/s): ${JSON.stringify(state.bench)}`);
    for (const f of outcome.failures) log(`(earlier source ${f.source} failed: ${f.reason.split('\n')[0]})`);
    return 0;
  }
  // Leave no half-installed library behind: the loader then reports a clear "addon not found".
  rm(tfjs.depsDir);
  removeBuild(tfjs);
  printReport(outcome.failures);
  return opts.strict ? 1 : 0;
}

/**
 * The fast path: library and binding present, installed from the same LAYERBENCH_LIBTENSORFLOW (if set),
 * and they still verify. Also accepts an install made by tfjs-node's own script (no state file yet).
 * @param {import('./lib/tfjs-node.mjs').TfjsNode} tfjs
 * @param {NodeJS.ProcessEnv} env
 * @param {boolean} bench
 */
function keepsVerifiedInstall(tfjs, env, bench) {
  if (!exists(tfjs.markerLib) || bindingFiles(tfjs).length === 0) return false;
  const state = readState(tfjs);
  const user = env.LAYERBENCH_LIBTENSORFLOW ? path.resolve(env.LAYERBENCH_LIBTENSORFLOW) : undefined;
  if (user && state?.userPath !== user) return false;
  const res = verify(repoRoot, bench ? ['--bench'] : []);
  if (!res.ok) {
    log(`existing install does not verify (${res.error}); reinstalling`);
    return false;
  }
  if (!state) {
    writeState(tfjs, {
      source: 'preinstalled',
      detail: `libtensorflow found in tfjs-node's deps/, TensorFlow ${res.tfVersion}`,
      tfVersion: res.tfVersion,
      strings: verify(repoRoot, ['--strings'], 60 * 1000).ok,
      builtAt: new Date().toISOString(),
    });
  } else if (bench && res.bench) {
    writeState(tfjs, { ...state, bench: res.bench });
  }
  log(`native TensorFlow already installed and verified (${state?.detail || `TensorFlow ${res.tfVersion}`})`);
  if (res.bench) log(`bench (samples/s): ${JSON.stringify(res.bench)}`);
  return true;
}

/** @param {import('./lib/try-sources.mjs').Failure[]} failures */
function printReport(failures) {
  console.error(`\n${failureReport(failures).join('\n')}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = await main(process.argv.slice(2), process.env);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(e.message);
    process.exitCode = 2;
  }
}
