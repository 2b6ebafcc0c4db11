// Runs a measurement process and takes its last stdout line as the JSON result.
import { spawn } from 'node:child_process';

const running = new Set();

/** Stops the measurement processes this harness started (on Ctrl-C). */
export function killChildren() {
  for (const child of running) child.kill('SIGKILL');
}

export function runJson(command, args, { timeoutMs, env = process.env, cwd } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let out = '';
    let err = '';
    let timedOut = false;
    const timer = timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, timeoutMs)
      : null;
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      resolve({ ok: false, error: `${command}: ${e.message}` });
    });
    child.on('close', (code, signal) => {
      running.delete(child);
      if (timer) clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0) {
        try {
          return resolve({ ok: true, value: JSON.parse(last) });
        } catch {
          // fall through: report the output
        }
      }
      const why = timedOut ? `timed out after ${timeoutMs / 1000} s` : `exit ${code ?? signal}`;
      const tail = err.trim().split('\n').slice(-6).join('\n');
      resolve({ ok: false, error: `${command} ${args[0]}: ${why}\n${tail}` });
    });
  });
}
