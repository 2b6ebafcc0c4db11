/**
 * The app's data folder and its layout. Both modes default to the folder Electron uses for the app
 * (`app.getPath('userData')`), so runs made in the desktop app and in `layerbench serve` are the same runs.
 */
import os from 'node:os';
import path from 'node:path';

export const APP_DIR_NAME = 'Layerbench';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.LAYERBENCH_DATA_DIR) return path.resolve(env.LAYERBENCH_DATA_DIR);
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_DIR_NAME);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_DIR_NAME);
}

export interface DataLayout {
  root: string;
  runs: string;
  /** Models saved in browser mode (Electron asks where). */
  saved: string;
  /** Spec files saved in browser mode. */
  specs: string;
  exports: string;
  /** The list of imported datasets. */
  datasetsFile: string;
  /** Imported models, one folder per import id (model:import); runs may start from their weights. */
  imports: string;
  /** Uploaded files (browser mode) while a job reads them; each job's folder is removed when it ends. */
  uploads: string;
  /** Experiment series started in the app, one folder each (series.json, report/); their runs are in runs/. */
  series: string;
}

export function dataLayout(root: string): DataLayout {
  return {
    root,
    runs: path.join(root, 'runs'),
    saved: path.join(root, 'saved'),
    specs: path.join(root, 'specs'),
    exports: path.join(root, 'exports'),
    datasetsFile: path.join(root, 'datasets.json'),
    imports: path.join(root, 'imports'),
    uploads: path.join(root, 'uploads'),
    series: path.join(root, 'series'),
  };
}

/** A name safe as one path segment on every platform. */
export function safeSegment(name: string, fallback = 'untitled'): string {
  const cleaned = name
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 80);
  return cleaned || fallback;
}

/** `YYYYMMDD-HHMMSS-slug`, sortable by creation time. */
export function newRunId(name: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${safeSegment(name, 'run')}`;
}
