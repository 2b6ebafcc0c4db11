/** Starts training processes with Electron's utilityProcess: a Node process of its own, outside main. */
import { app, utilityProcess } from 'electron';
import type { ExitListener, Launcher } from '../host/launcher.js';

/**
 * How long an exit waits for Electron's `child-process-gone` report. The utility process's `exit` event
 * carries only an exit code (no signal, no cause), so an out-of-memory kill would read as a plain crash; the
 * app-level event says 'oom' or 'killed', and Electron does not promise which of the two arrives first.
 */
export const GONE_REPORT_WAIT_MS = 200;

// Each child gets a service name of its own: `child-process-gone` names the process but gives no pid.
let forked = 0;

export function utilityLauncher(): Launcher {
  const goneReasons = new Map<string, (reason: string) => void>();
  app.on('child-process-gone', (_event, details) => {
    if (details.type !== 'Utility' || !details.name) return;
    goneReasons.get(details.name)?.(details.reason);
  });
  return (entry) => {
    const serviceName = `Layerbench training ${++forked}`;
    const child = utilityProcess.fork(entry, [], { stdio: ['ignore', 'inherit', 'pipe'], serviceName });
    let exited = false;
    let gone: string | null = null;
    goneReasons.set(serviceName, (reason) => (gone = reason));
    const exitListeners: ExitListener[] = [];
    child.on('exit', (code) => {
      if (exited) return;
      exited = true;
      setTimeout(() => {
        goneReasons.delete(serviceName);
        for (const l of exitListeners) l(code, null, gone);
      }, GONE_REPORT_WAIT_MS);
    });
    return {
      get pid() {
        return child.pid;
      },
      postMessage: (message) => child.postMessage(message),
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => exitListeners.push(listener),
      onStderr: (listener) => {
        child.stderr?.setEncoding('utf8');
        child.stderr?.on('data', (chunk: string) => {
          process.stderr.write(chunk);
          listener(chunk);
        });
      },
      kill: () => void child.kill(),
    };
  };
}
