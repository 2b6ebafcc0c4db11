/** Starts training processes with Electron's utilityProcess: a Node process of its own, outside main. */
import { utilityProcess } from 'electron';
import type { Launcher } from '../host/launcher.js';

export function utilityLauncher(): Launcher {
  return (entry) => {
    const child = utilityProcess.fork(entry, [], { stdio: ['ignore', 'inherit', 'pipe'], serviceName: 'Layerbench training' });
    let exited = false;
    const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
    child.on('exit', (code) => {
      if (exited) return;
      exited = true;
      for (const l of exitListeners) l(code, null);
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
