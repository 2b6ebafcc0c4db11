// @ts-check
// The order libtensorflow sources are tried in, and the report when none works.
import { SourceError } from './shell.mjs';

/**
 * Measured order (see NOTES.md): the PyPI wheel gives current TensorFlow with string tensors and was the
 * fastest; Google storage is tried next (works without Python), then the npm-only TensorFlow 1.15.
 */
export const DEFAULT_ORDER = ['user', 'pypi', 'official', 'lambda'];

/** @typedef {{ source: string, reason: string }} Failure */

/**
 * @template T
 * @typedef {{ ok: true, source: string, result: T, failures: Failure[] } | { ok: false, failures: Failure[] }} Outcome
 */

/**
 * Tries the sources in order until one stages a library that install() accepts (builds and verifies).
 * A source that throws, or whose library install() rejects, is recorded with the reason and the next is
 * tried. Disabled sources are skipped silently; names that are no source are failures.
 * @template T
 * @param {object} args
 * @param {string[]} args.order
 * @param {import('./sources/context.mjs').Source[]} args.sources
 * @param {(source: string, staged: import('./deps.mjs').Staged) => Promise<T> | T} args.install
 * @param {(msg: string) => void} [args.log]
 * @returns {Promise<Outcome<T>>}
 */
export async function trySources({ order, sources, install, log = () => {} }) {
  /** @type {Failure[]} */
  const failures = [];
  const byName = new Map(sources.map((s) => [s.name, s]));
  for (const name of order) {
    const source = byName.get(name);
    if (!source) {
      failures.push({ source: name, reason: `unknown source (known: ${[...byName.keys()].join(', ')})` });
      continue;
    }
    if (!source.enabled) continue;
    try {
      log(`trying source "${name}"`);
      const result = await install(name, await source.stage());
      return { ok: true, source: name, result, failures };
    } catch (e) {
      const reason = reasonOf(e);
      failures.push({ source: name, reason });
      log(`source "${name}" failed: ${reason.split('\n')[0]}`);
    }
  }
  return { ok: false, failures };
}

/**
 * A SourceError's message is the reason; anything else is a bug, so its stack is kept.
 * @param {unknown} e
 */
function reasonOf(e) {
  if (e instanceof SourceError) return e.message;
  if (e instanceof Error) return e.stack || String(e);
  return String(e);
}

/**
 * The lines printed when no source worked: every source with its reason, and what Layerbench does instead.
 * @param {Failure[]} failures
 */
export function failureReport(failures) {
  const bar = '!'.repeat(78);
  return [
    bar,
    '[native] Native TensorFlow could NOT be installed. Every source failed:',
    ...(failures.length ? failures : [{ source: '(none)', reason: 'no source was enabled' }]).map(
      (f) => `  - ${f.source}: ${f.reason.replace(/\n/g, '\n      ')}`,
    ),
    '[native] Layerbench will fall back to the wasm (or pure-JS cpu) backend: CNN training will be',
    '[native] roughly 15x (wasm) to 100x (cpu) slower. See scripts/native/NOTES.md (LAYERBENCH_LIBTENSORFLOW).',
    bar,
  ];
}
