/**
 * A fake `electron` module for main-process unit tests: records what the app registers (IPC handlers,
 * protocol handlers, windows and their options, event listeners) so the tests can drive and inspect it.
 */
import { EventEmitter } from 'node:events';
import { fork } from 'node:child_process';

export class FakeWebContents extends EventEmitter {
  static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  readonly mainFrame: { url: string };
  readonly sent: { channel: string; payload: unknown }[] = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  constructor(url = 'app://layerbench/index.html') {
    super();
    this.mainFrame = { url };
  }
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  /** Emits an event the way Electron does and reports whether a listener called preventDefault(). */
  fire(event: string, ...args: unknown[]): boolean {
    let prevented = false;
    this.emit(event, { preventDefault: () => (prevented = true) }, ...args);
    return prevented;
  }
  /** Emits an event whose details are on the event object itself (like `will-frame-navigate`); reports preventDefault(). */
  fireDetails(event: string, details: Record<string, unknown>): boolean {
    let prevented = false;
    this.emit(event, { ...details, preventDefault: () => (prevented = true) });
    return prevented;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static created: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  loadedUrl: string | null = null;
  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.created.push(this);
  }
  async loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    this.webContents.mainFrame.url = url;
  }
  isDestroyed(): boolean {
    return false;
  }
  show(): void {}
  static getFocusedWindow(): FakeBrowserWindow | null {
    return null;
  }
  static getAllWindows(): FakeBrowserWindow[] {
    return FakeBrowserWindow.created;
  }
}

export type InvokeHandler = (event: unknown, payload: unknown) => Promise<unknown>;

export class FakeIpcMain {
  readonly handlers = new Map<string, InvokeHandler>();
  handle(channel: string, handler: InvokeHandler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
}

export class FakeSession extends EventEmitter {
  permissionRequestHandler: ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void) | null = null;
  permissionCheckHandler: (() => boolean) | null = null;
  deviceHandler: (() => boolean) | null = null;
  setPermissionRequestHandler(h: FakeSession['permissionRequestHandler']): void {
    this.permissionRequestHandler = h;
  }
  setPermissionCheckHandler(h: () => boolean): void {
    this.permissionCheckHandler = h;
  }
  setDevicePermissionHandler(h: () => boolean): void {
    this.deviceHandler = h;
  }
}

export function fakeElectron() {
  const protocolHandlers = new Map<string, (request: { url: string }) => Promise<Response>>();
  const forks: { entry: string; options: unknown; process: EventEmitter }[] = [];
  const electron = {
    // An emitter so tests can fire app-level events such as `child-process-gone`.
    app: Object.assign(new EventEmitter(), { getPath: (_name: string) => '/nonexistent-user-data' }),
    BrowserWindow: FakeBrowserWindow,
    ipcMain: new FakeIpcMain(),
    protocol: {
      handle: (scheme: string, handler: (request: { url: string }) => Promise<Response>) => protocolHandlers.set(scheme, handler),
    },
    dialog: {
      showOpenDialog: async () => ({ canceled: true, filePaths: [] as string[] }),
      showSaveDialog: async () => ({ canceled: true, filePath: '' }),
    },
    session: { defaultSession: new FakeSession() },
    // A utilityProcess stand-in backed by a real Node child, so the launcher is exercised end to end.
    utilityProcess: {
      fork(entry: string, _args: string[], options: unknown) {
        const child = fork(entry, [], { stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
        const emitter = new EventEmitter() as EventEmitter & Record<string, unknown>;
        forks.push({ entry, options, process: emitter });
        child.on('message', (m) => emitter.emit('message', m));
        child.on('exit', (code) => emitter.emit('exit', code ?? 1));
        Object.assign(emitter, {
          pid: child.pid,
          stderr: child.stderr,
          postMessage: (m: unknown) => child.connected && child.send(m as object),
          kill: () => child.kill('SIGKILL'),
        });
        return emitter;
      },
    },
  };
  return { electron, protocolHandlers, forks };
}
