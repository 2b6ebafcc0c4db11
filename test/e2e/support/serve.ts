/**
 * Starts `layerbench serve --port 0` on a data folder and reads the URL (token included) it prints.
 * Used by the global setup for the suite's server, and by the restart test for a second launch.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const REPO = path.resolve(import.meta.dirname, '../../..');

export interface Served {
  url: string;
  process: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

export function checkBuilt(): void {
  for (const f of ['dist/main/cli/entry.js', 'dist/renderer/index.html']) {
    if (!existsSync(path.join(REPO, f))) throw new Error(`${f} is missing: run \`npm run build\` before the end-to-end tests`);
  }
}

export function serve(dataDir: string, timeoutMs = 60_000): Promise<Served> {
  const child = spawn(process.execPath, ['main/cli/layerbench.mjs', 'serve', '--port', '0'], {
    cwd: REPO,
    env: { ...process.env, LAYERBENCH_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`layerbench serve printed no URL within ${timeoutMs} ms; it said:\n${out}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /https?:\/\/127\.0\.0\.1:\d+\/\S*/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[0], process: child, output: () => out, stop });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`layerbench serve exited (code ${code}, signal ${signal}) before printing its URL:\n${out}`));
    });
  });
}
