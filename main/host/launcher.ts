/**
 * Starting a training process, abstracted over how: Electron's `utilityProcess.fork` in the desktop app
 * (main/electron/utility-launcher.ts), Node's `child_process.fork` in browser mode and tests.
 * Either way it is a separate OS process with its own native TensorFlow instance.
 */
import { fork } from 'node:child_process';
import type { HostMessage } from './protocol.js';

export interface ChildHandle {
  readonly pid: number | undefined;
  postMessage(message: HostMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  /**
   * Called once, when the process is gone. `signal` is null where the platform does not report one; `gone` is
   * Electron's `child-process-gone` reason ('oom', 'crashed', 'killed', …), null where there is none.
   */
  onExit(listener: ExitListener): void;
  onStderr(listener: (text: string) => void): void;
  kill(): void;
}

export type ExitListener = (code: number | null, signal: string | null, gone: string | null) => void;

export type Launcher = (entry: string) => ChildHandle;

export function nodeLauncher(execArgv: string[] = []): Launcher {
  return (entry) => {
    const child = fork(entry, [], { stdio: ['ignore', 'inherit', 'pipe', 'ipc'], serialization: 'advanced', execArgv });
    let exited = false;
    const exitListeners: ExitListener[] = [];
    const finish = (code: number | null, signal: string | null) => {
      if (exited) return;
      exited = true;
      for (const l of exitListeners) l(code, signal, null);
    };
    child.on('exit', (code, signal) => finish(code, signal));
    child.on('error', () => finish(child.exitCode ?? 1, null));
    return {
      pid: child.pid,
      postMessage: (message) => {
        if (child.connected) child.send(message);
      },
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => exitListeners.push(listener),
      onStderr: (listener) => {
        child.stderr?.setEncoding('utf8');
        child.stderr?.on('data', (chunk: string) => {
          process.stderr.write(chunk);
          listener(chunk);
        });
      },
      kill: () => child.kill('SIGKILL'),
    };
  };
}
