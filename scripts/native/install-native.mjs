#!/usr/bin/env node
// Provides libtensorflow for @tensorflow/tfjs-node without Google storage, builds
// tfjs-node's N-API binding from source and verifies it. Plain ESM JavaScript so that
// it runs before any TypeScript build. See scripts/native/NOTES.md.
//
// Usage: node scripts/native/install-native.mjs [--strict] [--force] [--bench]
//                                            [--sources=user,official,pypi,lambda]
//   --strict    exit 1 when no source works (default: warn loudly, exit 0)
//   --force     ignore an already verified install and rebuild
//   --bench     also time a small CNN training step and store it in the state file
//   --sources   try only these sources, in this order
//
// Environment:
//   LAYERBENCH_LIBTENSORFLOW   folder with lib/ + include/, a libtensorflow .tar.gz,
//                              a tensorflow(-cpu) .whl or its unpacked tensorflow/ folder
//   LAYERBENCH_TF_WHEEL_VERSION  tensorflow-cpu version taken from PyPI (default below)
//   LAYERBENCH_NATIVE_SOURCES  same as --sources
//   XDG_CACHE_HOME             downloads are cached in $XDG_CACHE_HOME/layerbench/native
//   TFJS_NODE_CDN_STORAGE / TFJS_NODE_BASE_URI  honoured like tfjs-node's own install

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const DEFAULT_WHEEL_VERSION = '2.21.0';
const LAMBDA_PACKAGE = 'tfjs-node-lambda-releases@1.6.1';
const LAMBDA_RELEASE = 'nodejs12.x-tf2.7.0.br';
const LIBTF_VERSION = '2.9.1'; // what tfjs-node 4.22's install.js looks for
// Measured order (see NOTES.md): the PyPI wheel gives current TF with string tensors and was the
// fastest; Google storage is tried next (works without pip), then the npm-only TF 1.15 fallback.
const DEFAULT_ORDER = ['user', 'pypi', 'official', 'lambda'];

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => {
  const hit = argv.find((a) => a.startsWith(`${name}=`));
  return hit ? hit.slice(name.length + 1) : undefined;
};
const STRICT = flag('--strict');
const FORCE = flag('--force');
const BENCH = flag('--bench');

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const checkScript = path.join(here, 'check-native.mjs');
const cacheRoot = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'layerbench', 'native');

const log = (msg) => console.log(`[native] ${msg}`);
const failures = [];

class SourceError extends Error {}
const fail = (msg) => {
  throw new SourceError(msg);
};

function tail(text, lines = 12, chars = 1500) {
  const t = String(text || '')
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-lines)
    .join('\n');
  return t.length > chars ? '...' + t.slice(-chars) : t;
}

/** Runs a command synchronously; returns { ok, status, signal, stdout, stderr, why }. */
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd || repoRoot,
    env: { ...process.env, ...(opts.env || {}) },
    encoding: 'utf8',
    timeout: opts.timeoutMs || 10 * 60 * 1000,
    maxBuffer: 256 * 1024 * 1024,
    input: opts.input,
  });
  const ok = !r.error && r.status === 0;
  let why = '';
  if (r.error) why = r.error.code === 'ETIMEDOUT' ? `timed out after ${(opts.timeoutMs || 600000) / 1000} s` : r.error.message;
  else if (r.signal) why = `killed by ${r.signal}`;
  else if (r.status !== 0) why = `exit code ${r.status}`;
  return { ok, status: r.status, signal: r.signal, stdout: r.stdout || '', stderr: r.stderr || '', why };
}

function which(cmd) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

const exists = (p) => fs.existsSync(p);
const rm = (p) => fs.rmSync(p, { recursive: true, force: true });
const mkdirp = (p) => fs.mkdirSync(p, { recursive: true });

/** Hard-links a file (same file system, no extra disk), else copies it. */
function linkOrCopy(src, dest) {
  rm(dest);
  try {
    fs.linkSync(src, dest);
  } catch {
    fs.copyFileSync(src, dest);
  }
}

/** Copies a tree, keeping symlinks as symlinks; files are hard-linked when possible. */
function copyTree(src, dest, { link = false } = {}) {
  mkdirp(dest);
  for (const ent of fs.readdirSync(src, { withFileTypes: true })) {
    const s = path.join(src, ent.name);
    const d = path.join(dest, ent.name);
    if (ent.isSymbolicLink()) {
      rm(d);
      fs.symlinkSync(fs.readlinkSync(s), d);
    } else if (ent.isDirectory()) {
      copyTree(s, d, { link });
    } else if (link) {
      linkOrCopy(s, d);
    } else {
      fs.copyFileSync(s, d);
    }
  }
}

function sha(text) {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** Downloads url to dest (atomically), with curl when present (honours proxy env vars). */
async function download(url, dest, { connectTimeoutS = 10, maxTimeS = 900 } = {}) {
  mkdirp(path.dirname(dest));
  const part = `${dest}.part`;
  rm(part);
  if (which('curl')) {
    const r = run(
      'curl',
      [
        '-fsSL',
        '--connect-timeout',
        String(connectTimeoutS),
        '--max-time',
        String(maxTimeS),
        '--speed-limit',
        '10240',
        '--speed-time',
        '30',
        '-o',
        part,
        url,
      ],
      { timeoutMs: (maxTimeS + 30) * 1000 },
    );
    if (!r.ok) {
      rm(part);
      fail(`download of ${url} failed: ${tail(r.stderr, 2) || r.why}`);
    }
  } else {
    let res;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(maxTimeS * 1000) });
    } catch (e) {
      fail(`download of ${url} failed: ${e.cause?.code || e.cause?.message || e.message}`);
    }
    if (!res.ok) fail(`download of ${url} failed: HTTP ${res.status}`);
    fs.writeFileSync(part, Buffer.from(await res.arrayBuffer()));
  }
  fs.renameSync(part, dest);
}

// ---------------------------------------------------------------------------------------
// Locating tfjs-node and the tools to build its binding

const rootRequire = createRequire(path.join(repoRoot, 'package.json'));
let tfjsNodeDir;
try {
  tfjsNodeDir = path.dirname(rootRequire.resolve('@tensorflow/tfjs-node/package.json'));
} catch {
  tfjsNodeDir = undefined;
}
const depsDir = tfjsNodeDir && path.join(tfjsNodeDir, 'deps');
const depsLib = depsDir && path.join(depsDir, 'lib');
const stateFile = depsDir && path.join(depsDir, 'layerbench-native.json');
const markerLib = depsLib && path.join(depsLib, `libtensorflow.so.${LIBTF_VERSION}`);

function bindingFiles() {
  const libDir = path.join(tfjsNodeDir, 'lib');
  if (!exists(libDir)) return [];
  return fs
    .readdirSync(libDir)
    .filter((d) => d.startsWith('napi-v'))
    .map((d) => path.join(libDir, d, 'tfjs_binding.node'))
    .filter(exists);
}

function nodeGypPath() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  const npmCli = process.env.npm_execpath || (which('npm') && fs.realpathSync(which('npm')));
  if (npmCli) candidates.push(path.join(path.dirname(npmCli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  const prefix = path.dirname(path.dirname(process.execPath));
  candidates.push(path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  try {
    candidates.push(path.join(path.dirname(rootRequire.resolve('node-gyp/package.json')), 'bin', 'node-gyp.js'));
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

// ---------------------------------------------------------------------------------------
// Installing a staged libtensorflow into deps/ and building the binding

/** Main and framework library inside a lib folder, for any of the layouts we handle. */
function findLibs(libDir) {
  const names = exists(libDir) ? fs.readdirSync(libDir) : [];
  const pick = (patterns) => {
    for (const re of patterns) {
      const hit = names.find((n) => re.test(n));
      if (hit) return hit;
    }
    return undefined;
  };
  const main = pick([
    /^libtensorflow\.so\.\d+$/,
    /^libtensorflow_cc\.so\.\d+$/,
    /^libtensorflow\.so(\.[\d.]+)?$/,
    /^libtensorflow_cc\.so(\.[\d.]+)?$/,
  ]);
  const framework = pick([/^libtensorflow_framework\.so\.\d+$/, /^libtensorflow_framework\.so(\.[\d.]+)?$/]);
  return { main, framework };
}

const STAND_IN_CTSTRING = `/* Stand-in written by Layerbench (scripts/native/install-native.mjs).
 * This libtensorflow predates TF_TString (TensorFlow < 2.4), so tfjs-node's binding gets
 * these declarations only to compile. String tensors (decodeImage, encodePng, ...) do NOT
 * work with this library; numeric ops are unaffected. */
#ifndef LAYERBENCH_CTSTRING_STAND_IN_H_
#define LAYERBENCH_CTSTRING_STAND_IN_H_
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
typedef struct TF_TString {
  char *ptr;
  size_t size;
  void *reserved[2];
} TF_TString;
static inline void TF_TString_Init(TF_TString *s) { memset(s, 0, sizeof(*s)); }
static inline void TF_TString_Dealloc(TF_TString *s) {
  free(s->ptr);
  s->ptr = NULL;
  s->size = 0;
}
static inline void TF_TString_Copy(TF_TString *s, const char *src, size_t n) {
  TF_TString_Dealloc(s);
  s->ptr = (char *)malloc(n ? n : 1);
  if (n) memcpy(s->ptr, src, n);
  s->size = n;
}
static inline const char *TF_TString_GetDataPointer(const TF_TString *s) { return s->ptr ? s->ptr : ""; }
static inline size_t TF_TString_GetSize(const TF_TString *s) { return s->size; }
#endif
`;

/**
 * Puts a staged libtensorflow (libDir with the shared libraries, includeDir with the C headers)
 * into tfjs-node's deps/ in the layout binding.gyp and scripts/install.js expect:
 *   deps/lib/libtensorflow.so, deps/lib/libtensorflow_framework.so  (linked with -l)
 *   deps/lib/<SONAME files>                                          (found at run time via rpath)
 *   deps/lib/libtensorflow.so.2.9.1                                  (install.js: "already downloaded")
 *   deps/include/tensorflow/c/{c_api.h,eager/c_api.h}, .../core/platform/ctstring_internal.h
 * Returns { standIn } (true when the ctstring stand-in header had to be written).
 */
function installDeps(libDir, includeDir) {
  const { main, framework } = findLibs(libDir);
  if (!main) fail(`no libtensorflow*.so* in ${libDir}`);
  if (!exists(path.join(includeDir, 'tensorflow', 'c', 'c_api.h'))) fail(`no tensorflow/c/c_api.h under ${includeDir}`);
  if (!exists(path.join(includeDir, 'tensorflow', 'c', 'eager', 'c_api.h'))) fail(`no tensorflow/c/eager/c_api.h under ${includeDir}`);
  rm(depsDir);
  mkdirp(depsLib);
  for (const ent of fs.readdirSync(libDir, { withFileTypes: true })) {
    if (!/^libtensorflow/.test(ent.name)) continue;
    const s = path.join(libDir, ent.name);
    const d = path.join(depsLib, ent.name);
    if (ent.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(s), d);
    else linkOrCopy(s, d);
  }
  const ensureLink = (name, target) => {
    if (target && !exists(path.join(depsLib, name))) fs.symlinkSync(target, path.join(depsLib, name));
  };
  ensureLink('libtensorflow.so', main);
  ensureLink('libtensorflow_framework.so', framework);
  ensureLink(`libtensorflow.so.${LIBTF_VERSION}`, 'libtensorflow.so');
  copyTree(includeDir, path.join(depsDir, 'include'));
  const licence = path.join(path.dirname(libDir), 'LICENSE');
  if (exists(licence)) fs.copyFileSync(licence, path.join(depsDir, 'LICENSE'));
  const ct = path.join(depsDir, 'include', 'tensorflow', 'core', 'platform', 'ctstring_internal.h');
  let standIn = false;
  if (!exists(ct)) {
    mkdirp(path.dirname(ct));
    fs.writeFileSync(ct, STAND_IN_CTSTRING);
    standIn = true;
  }
  return { standIn };
}

function buildBinding() {
  const gyp = nodeGypPath();
  const nd = nodeDir();
  const tfRequire = createRequire(path.join(tfjsNodeDir, 'package.json'));
  let preGyp;
  try {
    preGyp = path.join(path.dirname(tfRequire.resolve('@mapbox/node-pre-gyp/package.json')), 'bin', 'node-pre-gyp');
  } catch {
    fail('@mapbox/node-pre-gyp (a dependency of tfjs-node) is not installed');
  }
  rm(path.join(tfjsNodeDir, 'build'));
  for (const f of bindingFiles()) rm(path.dirname(f));
  for (const d of fs.readdirSync(tfjsNodeDir)) if (d.startsWith('build-tmp-napi')) rm(path.join(tfjsNodeDir, d));
  const args = [preGyp, 'install', '--build-from-source', `--jobs=${Math.max(1, Math.min(2, os.cpus().length))}`];
  if (nd) args.push(`--nodedir=${nd}`);
  log(`building tfjs_binding.node (node-gyp ${gyp || 'from PATH'}, nodedir ${nd || 'default'})`);
  const t0 = Date.now();
  const r = run(process.execPath, args, {
    cwd: tfjsNodeDir,
    env: gyp ? { npm_config_node_gyp: gyp } : {},
    timeoutMs: 15 * 60 * 1000,
  });
  if (!r.ok || bindingFiles().length === 0) {
    const msg = tail(r.stderr + '\n' + r.stdout, 8);
    fail(`building the binding failed (${r.why || 'no tfjs_binding.node produced'}): ${msg}`);
  }
  log(`binding built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** Runs check-native.mjs in a child process; returns its parsed RESULT. */
function check(extra = [], timeoutMs = 5 * 60 * 1000) {
  const r = run(process.execPath, [checkScript, ...extra], {
    cwd: repoRoot,
    env: { TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL || '2' },
    timeoutMs,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  let res;
  try {
    res = line ? JSON.parse(line.slice(7)) : undefined;
  } catch {
    res = undefined;
  }
  if (!res) {
    // Drop native stack frames ("12: 0x... v8::...") so the reason stays readable.
    const msg = tail(
      r.stderr
        .split('\n')
        .filter((l) => !/^\s*\d+: 0x/.test(l))
        .join('\n'),
      4,
    );
    return { ok: false, error: `check process ${r.why || 'printed no result'}: ${msg}` };
  }
  return res;
}

/** Installs, builds and verifies one staged libtensorflow. Throws SourceError on failure. */
function installAndVerify(source, staged, detail) {
  const { standIn } = installDeps(staged.libDir, staged.includeDir);
  buildBinding();
  const res = check(BENCH ? ['--bench'] : []);
  if (!res.ok) fail(`verification failed: ${res.error}`);
  const strings = check(['--strings'], 60 * 1000);
  const state = {
    source,
    detail: `${detail}${res.tfVersion ? `, TensorFlow ${res.tfVersion}` : ''}`,
    tfVersion: res.tfVersion,
    strings: Boolean(strings.ok),
    stringsError: strings.ok ? undefined : strings.error,
    standInHeader: standIn,
    userPath: staged.userPath,
    bench: res.bench,
    tfjsNode: JSON.parse(fs.readFileSync(path.join(tfjsNodeDir, 'package.json'), 'utf8')).version,
    node: process.version,
    builtAt: new Date().toISOString(),
  };
  fs.writeFileSync(stateFile, JSON.stringify(state, null, 2) + '\n');
  return state;
}

// ---------------------------------------------------------------------------------------
// Sources. Each returns { libDir, includeDir, detail, userPath? } or throws SourceError.

/** Extracts what we need from a tensorflow(-cpu) wheel into dest/{lib,include}. */
function extractWheel(wheel, dest) {
  const done = path.join(dest, '.complete');
  if (exists(done)) return;
  const python = ['python3', 'python'].map(which).find(Boolean);
  const tmp = `${dest}.tmp`;
  rm(tmp);
  mkdirp(tmp);
  // Only the two libraries, the licence and the headers tfjs-node's binding includes.
  const prefixes = [
    'tensorflow/include/tensorflow/c/',
    'tensorflow/include/tensorflow/core/platform/',
    'tensorflow/include/tensorflow/tsl/platform/',
    'tensorflow/include/tsl/platform/',
    'tensorflow/include/tsl/c/',
    'tensorflow/include/xla/tsl/c/',
    'tensorflow/include/xla/tsl/platform/',
  ];
  const libRe =
    /^tensorflow\/(libtensorflow_cc\.so\.\d+|libtensorflow_framework\.so\.\d+|libtensorflow_cc\.\d+\.dylib|libtensorflow_framework\.\d+\.dylib)$/;
  if (python) {
    const script = `
import sys, zipfile, os, shutil
whl, out = sys.argv[1], sys.argv[2]
prefixes = ${JSON.stringify(prefixes)}
import re
lib_re = re.compile(${JSON.stringify(libRe.source)})
with zipfile.ZipFile(whl) as z:
    for info in z.infolist():
        n = info.filename
        if n.endswith('/'):
            continue
        if lib_re.match(n):
            target = os.path.join(out, 'lib', os.path.basename(n))
        elif any(n.startswith(p) for p in prefixes) and n.endswith('.h'):
            target = os.path.join(out, 'include', n[len('tensorflow/include/'):])
        elif n == 'tensorflow/include/LICENSE' or n.endswith('.dist-info/LICENSE') or n.endswith('.dist-info/licenses/LICENSE'):
            target = os.path.join(out, 'LICENSE')
        else:
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(info) as src, open(target, 'wb') as dst:
            shutil.copyfileobj(src, dst, 1 << 22)
`;
    const r = run(python, ['-c', script, wheel, tmp], { timeoutMs: 15 * 60 * 1000 });
    if (!r.ok) fail(`extracting ${path.basename(wheel)} failed (${r.why}): ${tail(r.stderr, 4)}`);
  } else if (which('unzip')) {
    const r = run('unzip', ['-q', '-o', wheel, 'tensorflow/libtensorflow*', ...prefixes.map((p) => `${p}*`), '-d', tmp], {
      timeoutMs: 15 * 60 * 1000,
    });
    if (r.status !== 0 && r.status !== 11) fail(`unzip of ${path.basename(wheel)} failed: ${tail(r.stderr, 4)}`);
    mkdirp(path.join(tmp, 'lib'));
    for (const f of fs.readdirSync(path.join(tmp, 'tensorflow')))
      if (/^libtensorflow/.test(f)) fs.renameSync(path.join(tmp, 'tensorflow', f), path.join(tmp, 'lib', f));
    fs.renameSync(path.join(tmp, 'tensorflow', 'include'), path.join(tmp, 'include'));
    rm(path.join(tmp, 'tensorflow'));
  } else {
    fail('neither python3 nor unzip is available to unpack the wheel');
  }
  const { main } = findLibs(path.join(tmp, 'lib'));
  if (!main) {
    rm(tmp);
    fail(
      `${path.basename(wheel)} holds no libtensorflow_cc shared library (older wheels such as 2.9 keep the C API inside the Python extension)`,
    );
  }
  rm(dest);
  fs.renameSync(tmp, dest);
  fs.writeFileSync(done, new Date().toISOString());
}

/** Source 0: the user's libtensorflow (air-gapped workstations). */
async function sourceUser() {
  const given = process.env.LAYERBENCH_LIBTENSORFLOW;
  if (!given) fail('LAYERBENCH_LIBTENSORFLOW is not set');
  const p = path.resolve(given);
  if (!exists(p)) fail(`LAYERBENCH_LIBTENSORFLOW=${given} does not exist`);
  const st = fs.statSync(p);
  let root = p;
  if (st.isFile()) {
    const key = `${path.basename(p)}-${st.size}-${sha(p + st.mtimeMs)}`;
    root = path.join(cacheRoot, 'user', key);
    if (/\.whl$/.test(p)) {
      extractWheel(p, root);
    } else if (/\.(tar\.gz|tgz)$/.test(p)) {
      if (!exists(path.join(root, '.complete'))) {
        rm(root);
        mkdirp(root);
        const r = run('tar', ['-xzf', p, '-C', root], { timeoutMs: 10 * 60 * 1000 });
        if (!r.ok) fail(`tar -xzf ${p} failed: ${tail(r.stderr, 3) || r.why}`);
        fs.writeFileSync(path.join(root, '.complete'), '');
      }
    } else {
      fail(`LAYERBENCH_LIBTENSORFLOW=${given}: expected a folder, a .tar.gz or a .whl`);
    }
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

/** Source 1: the libtensorflow tfjs-node's own install script downloads (Google storage). */
async function sourceOfficial() {
  const plat = os.platform();
  const arch = os.arch();
  let custom;
  try {
    custom = JSON.parse(fs.readFileSync(path.join(tfjsNodeDir, 'scripts', 'custom-binary.json'), 'utf8'))['tf-lib'];
  } catch {
    custom = undefined;
  }
  const host =
    process.env.TFJS_NODE_CDN_STORAGE ||
    process.env.npm_config_TFJS_NODE_CDN_STORAGE ||
    process.env.CDN_STORAGE ||
    'https://storage.googleapis.com/';
  const base =
    process.env.TFJS_NODE_BASE_URI || process.env.npm_config_TFJS_NODE_BASE_URI || `${host}tensorflow/libtensorflow/libtensorflow-`;
  let url;
  if (custom) url = custom;
  else if (plat === 'linux' && arch === 'x64') url = `${base}cpu-linux-x86_64-${LIBTF_VERSION}.tar.gz`;
  else if (plat === 'linux' && arch === 'arm64') url = `${host}tf-builds/libtensorflow_r2_7_linux_arm64.tar.gz`;
  else fail(`no official libtensorflow for ${plat}-${arch} handled here (Linux only; use LAYERBENCH_LIBTENSORFLOW)`);
  const tgz = path.join(cacheRoot, 'official', path.basename(new URL(url).pathname));
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

/** Source 2: libtensorflow_cc from the tensorflow-cpu wheel on PyPI. */
async function sourcePypi() {
  if (os.platform() !== 'linux') fail('the PyPI wheel source is wired for Linux only');
  const version = process.env.LAYERBENCH_TF_WHEEL_VERSION || DEFAULT_WHEEL_VERSION;
  const [pkg, plat] =
    os.arch() === 'x64'
      ? ['tensorflow-cpu', 'manylinux_2_27_x86_64']
      : os.arch() === 'arm64'
        ? ['tensorflow', 'manylinux_2_27_aarch64']
        : fail(`no TensorFlow wheel for ${os.arch()}`);
  const dir = path.join(cacheRoot, 'pypi');
  const root = path.join(dir, `${pkg}-${version}-${plat}`);
  if (!exists(path.join(root, '.complete'))) {
    const norm = pkg.replace('-', '_');
    const find = () =>
      exists(dir)
        ? fs
            .readdirSync(dir)
            .find(
              (f) =>
                f.startsWith(`${norm}-${version}-`) && f.endsWith('.whl') && f.includes(plat.endsWith('aarch64') ? 'aarch64' : 'x86_64'),
            )
        : undefined;
    let wheel = find();
    if (!wheel) {
      const pips = [
        ['python3', ['-m', 'pip']],
        ['pip3', []],
        ['pip', []],
        ['python', ['-m', 'pip']],
      ].filter(([c]) => which(c));
      if (pips.length === 0) fail('no pip found (python3 -m pip / pip3 / pip)');
      const pyver = '3.11';
      let last = '';
      for (const [cmd, pre] of pips) {
        log(`pip download ${pkg}==${version} (${plat}, cp311) ...`);
        const r = run(
          cmd,
          [
            ...pre,
            'download',
            '--no-deps',
            '--only-binary=:all:',
            '--disable-pip-version-check',
            '--progress-bar',
            'off',
            '--python-version',
            pyver,
            '--implementation',
            'cp',
            '--abi',
            'cp311',
            '--platform',
            plat,
            '-d',
            dir,
            `${pkg}==${version}`,
          ],
          { timeoutMs: 20 * 60 * 1000 },
        );
        if (r.ok) break;
        last = `${cmd} ${pre.join(' ')}: ${r.why}: ${tail(r.stderr, 3)}`;
      }
      wheel = find();
      if (!wheel) fail(`pip download of ${pkg}==${version} failed: ${last}`);
    }
    log(`unpacking libtensorflow_cc from ${wheel}`);
    extractWheel(path.join(dir, wheel), root);
  }
  return {
    libDir: path.join(root, 'lib'),
    includeDir: path.join(root, 'include'),
    detail: `libtensorflow_cc from the PyPI wheel ${pkg}==${version}`,
  };
}

/** Source 3: libtensorflow 1.15 inside the npm package tfjs-node-lambda-releases. */
async function sourceLambda() {
  if (os.platform() !== 'linux' || os.arch() !== 'x64') fail('tfjs-node-lambda-releases holds Linux x86_64 libraries only');
  const dir = path.join(cacheRoot, 'lambda');
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
    // The release is a brotli-compressed tar of a node_modules tree; keep only tfjs-node's deps/.
    const br = path.join(tmp, 'package', LAMBDA_RELEASE);
    await new Promise((resolve, reject) => {
      const tar = spawn('tar', ['-x', '-C', tmp, '--strip-components=4', 'node_modules/@tensorflow/tfjs-node/deps'], {
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      let err = '';
      tar.stderr.on('data', (d) => (err += d));
      tar.on('error', reject);
      tar.on('close', (code) => (code === 0 ? resolve() : reject(new SourceError(`tar on ${LAMBDA_RELEASE}: ${tail(err, 3)}`))));
      const src = fs.createReadStream(br);
      src.on('error', reject);
      src.pipe(zlib.createBrotliDecompress()).on('error', reject).pipe(tar.stdin);
    }).catch((e) => fail(`unpacking ${LAMBDA_RELEASE} failed: ${e.message}`));
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

const SOURCES = { user: sourceUser, official: sourceOfficial, pypi: sourcePypi, lambda: sourceLambda };

// ---------------------------------------------------------------------------------------

function readState() {
  try {
    return JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  } catch {
    return undefined;
  }
}

function finishFailed() {
  // Leave no half-installed library behind: the loader then reports a clear "addon not found".
  if (depsDir) rm(depsDir);
  if (tfjsNodeDir) {
    for (const f of bindingFiles()) rm(path.dirname(f));
    rm(path.join(tfjsNodeDir, 'build'));
    for (const d of fs.readdirSync(tfjsNodeDir)) if (d.startsWith('build-tmp-napi')) rm(path.join(tfjsNodeDir, d));
  }
  const bar = '!'.repeat(78);
  console.error(`\n${bar}`);
  console.error('[native] Native TensorFlow could NOT be installed. Every source failed:');
  for (const f of failures) console.error(`  - ${f.source}: ${f.reason.replace(/\n/g, '\n      ')}`);
  console.error('[native] Layerbench will fall back to the wasm (or pure-JS cpu) backend: CNN training will be');
  console.error('[native] roughly 15x (wasm) to 100x (cpu) slower. See scripts/native/NOTES.md (LAYERBENCH_LIBTENSORFLOW).');
  console.error(`${bar}\n`);
  process.exit(STRICT ? 1 : 0);
}

async function main() {
  if (!tfjsNodeDir) {
    failures.push({ source: 'setup', reason: '@tensorflow/tfjs-node is not installed in node_modules (run npm ci first)' });
    return finishFailed();
  }
  const user = process.env.LAYERBENCH_LIBTENSORFLOW ? path.resolve(process.env.LAYERBENCH_LIBTENSORFLOW) : undefined;

  // 0b: already installed, built and verified -> only re-check that it still loads.
  if (!FORCE && exists(markerLib) && bindingFiles().length > 0) {
    const state = readState();
    const sameUser = !user || (state && state.userPath === user);
    if (sameUser) {
      const res = check(BENCH ? ['--bench'] : []);
      if (res.ok) {
        if (!state) {
          const strings = check(['--strings'], 60 * 1000);
          const s = {
            source: 'preinstalled',
            detail: `libtensorflow found in tfjs-node's deps/, TensorFlow ${res.tfVersion}`,
            tfVersion: res.tfVersion,
            strings: Boolean(strings.ok),
            builtAt: new Date().toISOString(),
          };
          fs.writeFileSync(stateFile, JSON.stringify(s, null, 2) + '\n');
        } else if (BENCH && res.bench) {
          fs.writeFileSync(stateFile, JSON.stringify({ ...state, bench: res.bench }, null, 2) + '\n');
        }
        log(`native TensorFlow already installed and verified (${(state && state.detail) || `TensorFlow ${res.tfVersion}`})`);
        if (res.bench) log(`bench (samples/s): ${JSON.stringify(res.bench)}`);
        return;
      }
      log(`existing install does not verify (${res.error}); reinstalling`);
    }
  }

  const listed = option('--sources') || process.env.LAYERBENCH_NATIVE_SOURCES;
  const order = listed
    ? listed
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : DEFAULT_ORDER;
  for (const name of order) {
    const fn = SOURCES[name];
    if (!fn) {
      failures.push({ source: name, reason: `unknown source (known: ${Object.keys(SOURCES).join(', ')})` });
      continue;
    }
    if (name === 'user' && !user) continue; // only a source when the variable is set
    const t0 = Date.now();
    try {
      log(`trying source "${name}"`);
      const staged = await fn();
      const state = installAndVerify(name, staged, staged.detail);
      log(`OK: ${state.detail}; string tensors ${state.strings ? 'work' : 'do NOT work'} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      if (state.bench) log(`bench (samples/s): ${JSON.stringify(state.bench)}`);
      for (const f of failures) log(`(earlier source ${f.source} failed: ${f.reason.split('\n')[0]})`);
      return;
    } catch (e) {
      const reason = e instanceof SourceError ? e.message : String(e && e.stack ? e.stack : e);
      failures.push({ source: name, reason });
      log(`source "${name}" failed: ${reason.split('\n')[0]}`);
    }
  }
  return finishFailed();
}

await main();
