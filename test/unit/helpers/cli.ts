/** Running `layerbench` from tests: in-process through main() with its output captured, or as users run the build. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { vi } from 'vitest';
import { main } from '../../../main/cli/main.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** main(argv) in this process, stdout and stderr captured. */
export async function cliInProcess(...argv: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: await main(argv), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/**
 * Native TensorFlow 2.x prints these two lines at load on some CPUs (oneDNN on), whatever TF_CPP_MIN_LOG_LEVEL
 * says (scripts/native/NOTES.md); they are not Layerbench's output, so a check for a clean stderr skips them.
 */
const NATIVE_LOAD_LINES = [
  /^WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR$/,
  /^I\d{4} [\d:. ]+\s+\d+ port\.cc:\d+\] oneDNN custom operations are on\./,
];

export function withoutNativeLoadLines(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => !NATIVE_LOAD_LINES.some((re) => re.test(line)))
    .join('\n');
}

/** The built CLI (npm test builds first) in a process of its own, exactly as users run it. */
export async function cliBuilt(args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [path.resolve('main/cli/layerbench.mjs'), ...args], {
      maxBuffer: 64 << 20,
    });
    return { code: 0, out: stdout, err: withoutNativeLoadLines(stderr) };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: withoutNativeLoadLines(x.stderr) };
  }
}
