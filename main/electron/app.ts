/**
 * Electron's main entry (package.json "main"). Main only routes: the UI runs in a sandboxed renderer served
 * from app://, requests reach the transport-independent service over the contract's IPC channels, and
 * training runs in utility processes supervised by the training host, so this thread never blocks on it.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as ElectronNs from 'electron';
import type { EventName, Events } from '../../common/contract.js';
import { appVersion } from '../platform/app-version.js';
import { TrainingHost } from '../host/training-host.js';
import type { Launcher } from '../host/launcher.js';
import { defaultDataDir } from '../service/data-dir.js';
import { createService, type Service } from '../service/service.js';
import { defaultRendererDir } from '../service/static-files.js';
import { APP_INDEX_URL, APP_SCHEME_PRIVILEGES, registerAppProtocol } from './app-protocol.js';
import { electronDialogs } from './dialogs.js';
import { registerIpc } from './ipc.js';
import { preloadArguments } from './preload-args.js';
import { hardenSession, hardenWebContents, secureWindowOptions } from './security.js';

export type ElectronModules = Pick<typeof ElectronNs, 'app' | 'BrowserWindow' | 'ipcMain' | 'protocol' | 'dialog' | 'session'>;

export interface StartOptions {
  rendererDir?: string;
  dataDir?: string;
  launcher?: Launcher;
  /** The training process script (tests); by default dist/main/host/training-process.js. */
  trainingEntry?: string;
  preload?: string;
}

export interface StartedApp {
  window: ElectronNs.BrowserWindow;
  /** Another window on the same service (macOS re-opens one from the dock). */
  createWindow(): Promise<ElectronNs.BrowserWindow>;
  service: Service;
  host: TrainingHost;
}

export const PRELOAD_PATH = fileURLToPath(new URL('./preload.cjs', import.meta.url));

/** Everything after `app.whenReady()`: protocol, session, service, IPC and the first window. */
export async function startApp(e: ElectronModules, options: StartOptions = {}): Promise<StartedApp> {
  const windows = new Set<ElectronNs.BrowserWindow>();
  const ownContents = new Set<ElectronNs.WebContents>();
  const emit = <E extends EventName>(event: E, payload: Events[E]) => {
    for (const win of windows) if (!win.isDestroyed()) win.webContents.send(event, payload);
  };
  const launcher = options.launcher ?? (await import('./utility-launcher.js')).utilityLauncher();
  const host = new TrainingHost({ emit, launcher, ...(options.trainingEntry ? { entry: options.trainingEntry } : {}) });
  const dataDir = options.dataDir ?? (process.env.LAYERBENCH_DATA_DIR ? defaultDataDir() : e.app.getPath('userData'));
  const service = createService({
    mode: 'electron',
    dataDir,
    version: appVersion(),
    versions: { node: process.versions.node, electron: process.versions.electron, chrome: process.versions.chrome },
    dialogs: electronDialogs(e.dialog, () => e.BrowserWindow.getFocusedWindow() ?? [...windows][0] ?? null),
    host,
    emit,
  });

  registerAppProtocol(e.protocol, options.rendererDir ?? defaultRendererDir());
  hardenSession(e.session.defaultSession);
  registerIpc(e.ipcMain, service, (contents) => ownContents.has(contents));

  const createWindow = async (): Promise<ElectronNs.BrowserWindow> => {
    const win = new e.BrowserWindow(secureWindowOptions(options.preload ?? PRELOAD_PATH, preloadArguments()));
    const contents = win.webContents;
    windows.add(win);
    ownContents.add(contents);
    hardenWebContents(contents);
    win.on('closed', () => {
      windows.delete(win);
      ownContents.delete(contents);
    });
    win.once('ready-to-show', () => win.show());
    await win.loadURL(APP_INDEX_URL);
    return win;
  };
  return { window: await createWindow(), createWindow, service, host };
}

async function main(): Promise<void> {
  const electron = await import('electron');
  const { app, protocol } = electron;
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.enableSandbox();
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  // Every web contents, including any the app did not expect, gets the navigation and window rules.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  await app.whenReady();
  const started = await startApp(electron);
  app.on('second-instance', () => {
    const win = electron.BrowserWindow.getAllWindows()[0];
    if (win?.isMinimized()) win.restore();
    win?.focus();
  });
  app.on('before-quit', () => {
    // The series ends with the run the host kills; it does not start its next run.
    void started.service.series.abort();
    started.host.dispose();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (electron.BrowserWindow.getAllWindows().length === 0) {
      void started.createWindow();
    }
  });
}

// Only under Electron: importing this module in tests (Node) must not start an app.
if (process.versions.electron && path.basename(process.argv[1] ?? '') !== 'vitest') {
  main().catch((err: unknown) => {
    console.error('Layerbench failed to start:', err);
    process.exit(1);
  });
}
