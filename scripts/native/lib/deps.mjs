// @ts-check
// Puts a staged libtensorflow into tfjs-node's deps/ in the layout its binding.gyp and install.js expect.
import fs from 'node:fs';
import path from 'node:path';
import { copyTree, exists, fail, linkOrCopy, mkdirp, rm } from './shell.mjs';
import { LIBTF_VERSION } from './tfjs-node.mjs';

/**
 * A libtensorflow a source has unpacked into the cache.
 * @typedef {object} Staged
 * @property {string} libDir      the shared libraries
 * @property {string} includeDir  the C headers (tensorflow/c/c_api.h, ...)
 * @property {string} detail      what it is, for the log and the state file
 * @property {string} [userPath]  set by the LAYERBENCH_LIBTENSORFLOW source
 */

/**
 * Main and framework library inside a lib folder, for any of the layouts the sources produce.
 * @param {string} libDir
 */
export function findLibs(libDir) {
  const names = exists(libDir) ? fs.readdirSync(libDir) : [];
  /** @param {RegExp[]} patterns */
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

const STAND_IN_CTSTRING = `/* Stand-in written by Layerbench (scripts/native/lib/deps.mjs).
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
 * Replaces deps/ with the staged library:
 *   deps/lib/libtensorflow.so, deps/lib/libtensorflow_framework.so  (linked with -l)
 *   deps/lib/<SONAME files>                                          (found at run time via rpath)
 *   deps/lib/libtensorflow.so.2.9.1                                  (install.js: "already downloaded")
 *   deps/include/tensorflow/c/{c_api.h,eager/c_api.h}, .../core/platform/ctstring_internal.h
 * Returns whether the ctstring stand-in header had to be written (TensorFlow 1.x).
 * @param {import('./tfjs-node.mjs').TfjsNode} tfjs
 * @param {Staged} staged
 */
export function installDeps(tfjs, { libDir, includeDir }) {
  const { main, framework } = findLibs(libDir);
  if (!main) fail(`no libtensorflow*.so* in ${libDir}`);
  for (const header of [
    ['c', 'c_api.h'],
    ['c', 'eager', 'c_api.h'],
  ]) {
    if (!exists(path.join(includeDir, 'tensorflow', ...header))) fail(`no tensorflow/${header.join('/')} under ${includeDir}`);
  }
  rm(tfjs.depsDir);
  mkdirp(tfjs.depsLib);
  for (const ent of fs.readdirSync(libDir, { withFileTypes: true })) {
    if (!ent.name.startsWith('libtensorflow')) continue;
    const s = path.join(libDir, ent.name);
    const d = path.join(tfjs.depsLib, ent.name);
    if (ent.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(s), d);
    else linkOrCopy(s, d);
  }
  /** @type {(name: string, target: string | undefined) => void} */
  const ensureLink = (name, target) => {
    if (target && !exists(path.join(tfjs.depsLib, name))) fs.symlinkSync(target, path.join(tfjs.depsLib, name));
  };
  ensureLink('libtensorflow.so', main);
  ensureLink('libtensorflow_framework.so', framework);
  ensureLink(`libtensorflow.so.${LIBTF_VERSION}`, 'libtensorflow.so');
  copyTree(includeDir, path.join(tfjs.depsDir, 'include'));
  const licence = path.join(path.dirname(libDir), 'LICENSE');
  if (exists(licence)) fs.copyFileSync(licence, path.join(tfjs.depsDir, 'LICENSE'));
  const ct = path.join(tfjs.depsDir, 'include', 'tensorflow', 'core', 'platform', 'ctstring_internal.h');
  if (exists(ct)) return { standIn: false };
  mkdirp(path.dirname(ct));
  fs.writeFileSync(ct, STAND_IN_CTSTRING);
  return { standIn: true };
}
