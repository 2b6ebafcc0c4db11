// @ts-check
// Command-line options of install-native.mjs.
import { parseArgs } from 'node:util';
import { DEFAULT_ORDER } from './try-sources.mjs';

/** Bad command-line options; the message says which and what is accepted. */
export class UsageError extends Error {}

/**
 * @typedef {object} Options
 * @property {boolean} strict  exit 1 when no source works
 * @property {boolean} force   rebuild even when the installed library verifies
 * @property {boolean} bench   also time a small CNN and record it
 * @property {string[]} order  sources to try, in this order
 */

/**
 * @param {string[]} argv
 * @param {NodeJS.ProcessEnv} env
 * @returns {Options}
 */
export function parseOptions(argv, env) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { strict: { type: 'boolean' }, force: { type: 'boolean' }, bench: { type: 'boolean' }, sources: { type: 'string' } },
    }));
  } catch (e) {
    throw new UsageError(
      `install-native: ${e instanceof Error ? e.message : String(e)} (options: --strict --force --bench --sources=a,b)`,
      {
        cause: e,
      },
    );
  }
  const listed = values.sources ?? env.LAYERBENCH_NATIVE_SOURCES;
  const order = listed
    ? listed
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : DEFAULT_ORDER;
  return { strict: Boolean(values.strict), force: Boolean(values.force), bench: Boolean(values.bench), order };
}
