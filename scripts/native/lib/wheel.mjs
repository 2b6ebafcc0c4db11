// @ts-check
// Choosing a TensorFlow wheel for this machine among those a release offers, and unpacking the
// libtensorflow_cc inside it. The Python tag does not matter (the C library is the same in every cpXY
// wheel); the platform tag must fit this machine's glibc and CPU.
import fs from 'node:fs';
import path from 'node:path';
import { findLibs } from './deps.mjs';
import { exists, fail, mkdirp, rm, run, tail, which } from './shell.mjs';

/**
 * A wheel file name's parts (PEP 427: name-version[-build]-python-abi-platform.whl).
 * @typedef {object} WheelName
 * @property {string} project   normalised: lower case, runs of -_. as _
 * @property {string} version
 * @property {string} python    e.g. cp311
 * @property {string} platform  e.g. manylinux_2_17_x86_64.manylinux2014_x86_64
 */

/** @param {string} name */
export const normaliseProject = (name) => name.toLowerCase().replace(/[-_.]+/g, '_');

/**
 * @param {string} filename
 * @returns {WheelName | undefined}
 */
export function parseWheelName(filename) {
  if (!filename.endsWith('.whl')) return undefined;
  const parts = filename.slice(0, -'.whl'.length).split('-');
  if (parts.length !== 5 && parts.length !== 6) return undefined;
  const [project, version] = parts;
  const [python, , platform] = parts.slice(-3);
  return { project: normaliseProject(project), version, python, platform };
}

/** Legacy manylinux names and the glibc they stand for (PEP 600). */
const LEGACY_MANYLINUX = { manylinux1: [2, 5], manylinux2010: [2, 12], manylinux2014: [2, 17] };

/**
 * The glibc version a manylinux platform tag needs and its CPU, or undefined for other platforms.
 * @param {string} tag  one tag, e.g. manylinux_2_27_x86_64 or manylinux2014_aarch64
 * @returns {{ glibc: [number, number], arch: string } | undefined}
 */
export function parseManylinuxTag(tag) {
  const modern = /^manylinux_(\d+)_(\d+)_(\w+)$/.exec(tag);
  if (modern) return { glibc: [Number(modern[1]), Number(modern[2])], arch: modern[3] };
  const legacy = /^(manylinux1|manylinux2010|manylinux2014)_(\w+)$/.exec(tag);
  if (legacy) {
    const glibc = LEGACY_MANYLINUX[/** @type {keyof typeof LEGACY_MANYLINUX} */ (legacy[1])];
    return { glibc: [glibc[0], glibc[1]], arch: legacy[2] };
  }
  return undefined;
}

/** Node's os.arch() as the CPU name in wheel platform tags. */
export const WHEEL_ARCH = /** @type {Record<string, string>} */ ({ x64: 'x86_64', arm64: 'aarch64' });

/**
 * @typedef {object} Machine
 * @property {string | undefined} glibc  e.g. "2.36"; undefined on a non-glibc system (musl)
 * @property {string} arch               wheel CPU name: x86_64, aarch64
 */

/**
 * @typedef {object} IndexFile  one entry of a PyPI simple index's "files" (PEP 691)
 * @property {string} filename
 * @property {string} [url]
 * @property {Record<string, string>} [hashes]
 * @property {boolean | string} [yanked]
 */

/**
 * @template {IndexFile} F
 * @typedef {{ file: F, wheel: WheelName, glibc: [number, number] }} Candidate
 */

/**
 * The wheel of project==version that fits the machine: a manylinux tag for its CPU needing a glibc no newer
 * than the machine's. Among several, the one built for the newest glibc (closest to the machine), then the
 * newest Python tag, so the choice does not depend on the index's order. Yanked files are skipped.
 * @template {IndexFile} F
 * @param {F[]} files
 * @param {{ project: string, version: string }} want
 * @param {Machine} machine
 * @returns {(Candidate<F> & { platformTag: string }) | undefined}
 */
export function pickWheel(files, want, machine) {
  const mine = parseGlibc(machine.glibc);
  if (!mine) return undefined;
  /** @type {(Candidate<F> & { platformTag: string })[]} */
  const fits = [];
  for (const file of files) {
    if (file.yanked) continue;
    const wheel = parseWheelName(file.filename);
    if (!wheel || wheel.project !== normaliseProject(want.project) || wheel.version !== want.version) continue;
    for (const tag of wheel.platform.split('.')) {
      const m = parseManylinuxTag(tag);
      if (m && m.arch === machine.arch && compareVersions(m.glibc, mine) <= 0) fits.push({ file, wheel, glibc: m.glibc, platformTag: tag });
    }
  }
  fits.sort((a, b) => compareVersions(b.glibc, a.glibc) || pythonRank(b.wheel.python) - pythonRank(a.wheel.python));
  return fits[0];
}

/**
 * What a release offers, for the error when nothing fits: its platform tags, each once.
 * @param {IndexFile[]} files
 * @param {{ project: string, version: string }} want
 */
export function offeredPlatforms(files, want) {
  const tags = new Set();
  for (const file of files) {
    const wheel = parseWheelName(file.filename);
    if (wheel && !file.yanked && wheel.project === normaliseProject(want.project) && wheel.version === want.version)
      tags.add(wheel.platform);
  }
  return [...tags].sort();
}

/**
 * @param {string | undefined} text
 * @returns {[number, number] | undefined}
 */
function parseGlibc(text) {
  const m = /^(\d+)\.(\d+)/.exec(text || '');
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/**
 * @param {[number, number]} a
 * @param {[number, number]} b
 */
const compareVersions = (a, b) => a[0] - b[0] || a[1] - b[1];

/** @param {string} python  cp311 -> 311; other tags rank last */
const pythonRank = (python) => Number(/^cp(\d+)$/.exec(python)?.[1] ?? 0);

/** Headers tfjs-node's binding includes, by their path inside the wheel. */
const HEADER_PREFIXES = [
  'tensorflow/include/tensorflow/c/',
  'tensorflow/include/tensorflow/core/platform/',
  'tensorflow/include/tensorflow/tsl/platform/',
  'tensorflow/include/tsl/platform/',
  'tensorflow/include/tsl/c/',
  'tensorflow/include/xla/tsl/c/',
  'tensorflow/include/xla/tsl/platform/',
];
const LIB_RE =
  /^tensorflow\/(libtensorflow_cc\.so\.\d+|libtensorflow_framework\.so\.\d+|libtensorflow_cc\.\d+\.dylib|libtensorflow_framework\.\d+\.dylib)$/;

// Python's zipfile streams members without unpacking the whole 800 MB wheel.
const EXTRACT_PY = `
import sys, zipfile, os, shutil, re, json
whl, out, prefixes, lib_re = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), re.compile(sys.argv[4])
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

/**
 * Extracts the libraries, the headers and the licence of a tensorflow(-cpu) wheel into dest/{lib,include}.
 * Does nothing when dest is complete from an earlier run.
 * @param {string} wheel
 * @param {string} dest
 */
export function extractWheel(wheel, dest) {
  const done = path.join(dest, '.complete');
  if (exists(done)) return;
  const python = ['python3', 'python'].map(which).find(Boolean);
  const tmp = `${dest}.tmp`;
  rm(tmp);
  mkdirp(tmp);
  if (python) {
    const r = run(python, ['-c', EXTRACT_PY, wheel, tmp, JSON.stringify(HEADER_PREFIXES), LIB_RE.source], { timeoutMs: 15 * 60 * 1000 });
    if (!r.ok) fail(`extracting ${path.basename(wheel)} failed (${r.why}): ${tail(r.stderr, 4)}`);
  } else if (which('unzip')) {
    const r = run('unzip', ['-q', '-o', wheel, 'tensorflow/libtensorflow*', ...HEADER_PREFIXES.map((p) => `${p}*`), '-d', tmp], {
      timeoutMs: 15 * 60 * 1000,
    });
    // 11: some patterns matched nothing (not every release has every header folder).
    if (r.status !== 0 && r.status !== 11) fail(`unzip of ${path.basename(wheel)} failed: ${tail(r.stderr, 4)}`);
    mkdirp(path.join(tmp, 'lib'));
    for (const f of fs.readdirSync(path.join(tmp, 'tensorflow')))
      if (f.startsWith('libtensorflow')) fs.renameSync(path.join(tmp, 'tensorflow', f), path.join(tmp, 'lib', f));
    fs.renameSync(path.join(tmp, 'tensorflow', 'include'), path.join(tmp, 'include'));
    rm(path.join(tmp, 'tensorflow'));
  } else {
    fail('neither python3 nor unzip is available to unpack the wheel');
  }
  if (!findLibs(path.join(tmp, 'lib')).main) {
    rm(tmp);
    fail(
      `${path.basename(wheel)} holds no libtensorflow_cc shared library (older wheels such as 2.9 keep the C API inside the Python extension)`,
    );
  }
  rm(dest);
  fs.renameSync(tmp, dest);
  fs.writeFileSync(done, new Date().toISOString());
}
