// @ts-check
// What every libtensorflow source is given: the machine, the cache and where tfjs-node lives.
import os from 'node:os';
import path from 'node:path';

/**
 * @typedef {object} SourceContext
 * @property {string} cacheRoot  downloads and unpacked libraries, one folder per source
 * @property {NodeJS.ProcessEnv} env
 * @property {NodeJS.Platform} platform
 * @property {string} arch                os.arch()
 * @property {string | undefined} glibc   the C library version at run time; undefined on musl or non-Linux
 * @property {string} tfjsNodeDir
 */

/**
 * A place libtensorflow can come from. stage() unpacks it into the cache (reusing an earlier run's work)
 * and throws SourceError with the reason when it cannot.
 * @typedef {object} Source
 * @property {string} name
 * @property {boolean} enabled  false: skipped without a failure (the LAYERBENCH_LIBTENSORFLOW source when it is unset)
 * @property {() => Promise<import('../deps.mjs').Staged>} stage
 */

/** The glibc this process runs on, as Node's diagnostic report states it. */
export function runtimeGlibc() {
  const report = /** @type {{ header?: { glibcVersionRuntime?: string } }} */ (process.report?.getReport() ?? {});
  return report.header?.glibcVersionRuntime;
}

/**
 * @param {string} tfjsNodeDir
 * @param {NodeJS.ProcessEnv} env
 * @returns {SourceContext}
 */
export function machineContext(tfjsNodeDir, env) {
  return {
    cacheRoot: path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'layerbench', 'native'),
    env,
    platform: os.platform(),
    arch: os.arch(),
    glibc: os.platform() === 'linux' ? runtimeGlibc() : undefined,
    tfjsNodeDir,
  };
}
