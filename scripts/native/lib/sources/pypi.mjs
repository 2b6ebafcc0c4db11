// @ts-check
// libtensorflow_cc from TensorFlow's wheel on PyPI (or a PEP 691 mirror). The wheel is chosen from what the
// release offers for this machine's glibc and CPU; a wheel already in the cache that fits is used without
// asking the index.
import fs from 'node:fs';
import path from 'node:path';
import * as shell from '../shell.mjs';
import { exists, fail, log, rm } from '../shell.mjs';
import { WHEEL_ARCH, extractWheel, offeredPlatforms, parseWheelName, pickWheel } from '../wheel.mjs';

export const DEFAULT_WHEEL_VERSION = '2.21.0';
const DEFAULT_INDEX = 'https://pypi.org/simple/';
const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';

/**
 * The network, replaceable in tests.
 * @typedef {object} Net
 * @property {(url: string, headers: Record<string, string>) => Promise<string>} fetchText
 * @property {(url: string, dest: string) => Promise<void>} download
 * @property {(file: string) => Promise<string>} sha256File
 */

/** @type {Net} */
const realNet = {
  fetchText: (url, headers) => shell.fetchText(url, headers),
  download: (url, dest) => shell.download(url, dest),
  sha256File: shell.sha256File,
};

/**
 * @param {import('./context.mjs').SourceContext} ctx
 * @param {Net} [net]
 * @returns {import('./context.mjs').Source}
 */
export function pypiSource(ctx, net = realNet) {
  return { name: 'pypi', enabled: true, stage: () => stagePypi(ctx, net) };
}

/**
 * The project to take: tensorflow-cpu has no aarch64 wheels, tensorflow's aarch64 wheels are CPU-only.
 * @param {string} arch  os.arch()
 */
function projectFor(arch) {
  if (arch === 'x64') return 'tensorflow-cpu';
  if (arch === 'arm64') return 'tensorflow';
  return fail(`no TensorFlow wheel for ${arch}`);
}

/**
 * @param {import('./context.mjs').SourceContext} ctx
 * @param {Net} net
 */
async function stagePypi(ctx, net) {
  if (ctx.platform !== 'linux') fail('the PyPI wheel source is wired for Linux only');
  if (!ctx.glibc) fail('this Linux has no glibc (musl?); TensorFlow wheels are manylinux (glibc) only');
  const want = { project: projectFor(ctx.arch), version: ctx.env.LAYERBENCH_TF_WHEEL_VERSION || DEFAULT_WHEEL_VERSION };
  const machine = { glibc: ctx.glibc, arch: WHEEL_ARCH[ctx.arch] };
  const dir = path.join(ctx.cacheRoot, 'pypi');
  const wheelFile = cachedWheel(dir, want, machine) ?? (await downloadWheel(dir, want, machine, ctx.env, net));
  const wheel = path.join(dir, wheelFile);
  const root = wheel.slice(0, -'.whl'.length);
  if (!exists(path.join(root, '.complete'))) log(`unpacking libtensorflow_cc from ${wheelFile}`);
  extractWheel(wheel, root);
  return {
    libDir: path.join(root, 'lib'),
    includeDir: path.join(root, 'include'),
    detail: `libtensorflow_cc from the PyPI wheel ${wheelFile}`,
  };
}

/**
 * A wheel an earlier run downloaded that fits, so a second setup needs no network.
 * @param {string} dir
 * @param {{ project: string, version: string }} want
 * @param {import('../wheel.mjs').Machine} machine
 */
function cachedWheel(dir, want, machine) {
  const names = exists(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.whl')) : [];
  return pickWheel(
    names.map((filename) => ({ filename })),
    want,
    machine,
  )?.file.filename;
}

/**
 * Reads the release's files from the index, picks the one for this machine, downloads and checks it.
 * @param {string} dir
 * @param {{ project: string, version: string }} want
 * @param {import('../wheel.mjs').Machine} machine
 * @param {NodeJS.ProcessEnv} env
 * @param {Net} net
 */
async function downloadWheel(dir, want, machine, env, net) {
  const index = new URL(`${want.project}/`, withSlash(env.LAYERBENCH_PYPI_INDEX || env.PIP_INDEX_URL || DEFAULT_INDEX));
  const files = parseIndex(await net.fetchText(index.href, { Accept: SIMPLE_JSON }), index.href);
  const pick = pickWheel(files, want, machine);
  if (!pick) {
    const offered = offeredPlatforms(files, want);
    fail(
      `${want.project}==${want.version} on ${index.href} has no wheel for ${machine.arch} with glibc ${machine.glibc} ` +
        `(offered: ${offered.length ? offered.join(', ') : 'no wheels for that version'})`,
    );
  }
  const { filename, url, hashes } = pick.file;
  if (!url || !parseWheelName(filename)) fail(`${index.href} lists ${filename} without a download URL`);
  const dest = path.join(dir, filename);
  log(`downloading ${filename} (${pick.platformTag}, for glibc ${machine.glibc}) from ${index.host}`);
  await net.download(new URL(url, index).href, dest);
  const expected = hashes?.sha256;
  if (expected) {
    const actual = await net.sha256File(dest);
    if (actual !== expected) {
      rm(dest);
      fail(`${filename}: sha256 ${actual} differs from the index's ${expected}; removed, run setup again`);
    }
  }
  return filename;
}

/** @param {string} url */
const withSlash = (url) => (url.endsWith('/') ? url : `${url}/`);

/**
 * The files of a PEP 691 JSON simple index page.
 * @param {string} text
 * @param {string} where  the URL, for the error
 * @returns {import('../wheel.mjs').IndexFile[]}
 */
export function parseIndex(text, where) {
  let page;
  try {
    page = JSON.parse(text);
  } catch {
    fail(`${where} did not answer with the JSON simple index (${SIMPLE_JSON}); set LAYERBENCH_PYPI_INDEX to an index that does`);
  }
  if (!page || !Array.isArray(page.files)) fail(`${where}: the JSON simple index has no "files" list`);
  return page.files.filter(
    (/** @type {unknown} */ f) => typeof f === 'object' && f !== null && typeof Reflect.get(f, 'filename') === 'string',
  );
}
