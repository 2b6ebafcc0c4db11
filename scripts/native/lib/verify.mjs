// @ts-check
// Verifies the installed backend in a child process (check-native.mjs), so that a crash inside
// libtensorflow cannot take the installer down with it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, tail } from './shell.mjs';

const checkScript = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'check-native.mjs');

/**
 * check-native.mjs's RESULT line.
 * @typedef {object} CheckResult
 * @property {boolean} ok
 * @property {string} [error]
 * @property {string} [tfVersion]
 * @property {Record<string, number>} [bench]
 */

/**
 * @param {string} repoRoot
 * @param {string[]} [extra]  --strings (PNG round trip only) or --bench
 * @returns {CheckResult}
 */
export function verify(repoRoot, extra = [], timeoutMs = 5 * 60 * 1000) {
  const r = run(process.execPath, [checkScript, ...extra], {
    cwd: repoRoot,
    env: { TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL || '2' },
    timeoutMs,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  try {
    if (line) return JSON.parse(line.slice('RESULT '.length));
  } catch {
    /* reported below */
  }
  // Drop native stack frames ("12: 0x... v8::...") so the reason stays readable.
  const stderr = r.stderr
    .split('\n')
    .filter((l) => !/^\s*\d+: 0x/.test(l))
    .join('\n');
  return { ok: false, error: `check process ${r.why || 'printed no result'}: ${tail(stderr, 4)}` };
}
