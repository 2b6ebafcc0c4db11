/**
 * Running the real Keras for the round-trip tests: python3 with TensorFlow CPU and Keras 3 as pinned in
 * test/python/requirements.txt. Where that is not importable, the tests that need it are skipped with the
 * reason in their name; CI installs it, so there they run.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PYTHON = process.env.LAYERBENCH_PYTHON ?? 'python3';
export const PYTHON_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../python');

const quiet = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', PYTHONHASHSEED: '0', CUDA_VISIBLE_DEVICES: '' };

function probe(): { ok: boolean; reason: string } {
  const r = spawnSync(PYTHON, ['-c', 'import tensorflow, keras, h5py, numpy; print(keras.__version__)'], {
    encoding: 'utf8',
    timeout: 120_000,
    env: quiet,
  });
  if (r.error) return { ok: false, reason: `${PYTHON} not runnable (${r.error.message})` };
  if (r.status !== 0) return { ok: false, reason: `TensorFlow/Keras not importable by ${PYTHON}: ${r.stderr.trim().split('\n').pop()}` };
  const version = r.stdout.trim();
  if (!version.startsWith('3.')) return { ok: false, reason: `Keras ${version} found, Keras 3 needed` };
  return { ok: true, reason: `Keras ${version}` };
}

export const python = probe();
// CI sets this so a broken Python install fails the run instead of quietly skipping the round trips.
if (!python.ok && process.env.LAYERBENCH_REQUIRE_PYTHON === '1') throw new Error(`LAYERBENCH_REQUIRE_PYTHON=1 but ${python.reason}`);
/** Appended to the names of tests that need Python, so a skip says why. */
export const needsPython = python.ok ? '' : ` [skipped: ${python.reason}; pip install -r test/python/requirements.txt]`;

/** Runs a script (a path, or a file in test/python) and returns its output; throws with its stderr on failure. */
export function runPython(script: string, args: string[], timeoutMs = 240_000, cwd?: string): string {
  const file = path.isAbsolute(script) ? script : path.join(PYTHON_DIR, script);
  const r = spawnSync(PYTHON, [file, ...args], { encoding: 'utf8', timeout: timeoutMs, env: quiet, cwd, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`${path.basename(file)}: ${r.error.message}`);
  if (r.status !== 0)
    throw new Error(`${path.basename(file)} exited with ${r.status}:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-6000)}`);
  return r.stdout;
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
