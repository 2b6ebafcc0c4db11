/**
 * The main-side service behind the contract, independent of transport: Electron's ipcMain and the
 * browser-mode WebSocket server both call `handle(channel, payload)` with whatever arrived, and get a Result.
 * Nothing thrown escapes: an unexpected exception becomes an INTERNAL result with its message.
 */
import { fail, type Channel, type Result } from '../../common/contract.js';
import { DatasetCatalog } from './dataset-catalog.js';
import { resolveDownload } from './downloads.js';
import { dataLayout, type DataLayout } from './data-dir.js';
import { appHandlers } from './handlers-app.js';
import { dataHandlers } from './handlers-data.js';
import { modelHandlers } from './handlers-models.js';
import { runHandlers } from './handlers-runs.js';
import { seriesHandlers } from './handlers-series.js';
import { SeriesRunner } from './series-runner.js';
import type { Handler, Handlers } from './handler-types.js';
import { RunCatalog } from './run-catalog.js';
import { isChannel, parseRequest } from './schemas.js';
import type { ServiceDeps } from './types.js';
import type { DatasetLoad } from './dataset-catalog.js';

export interface Service {
  handle(channel: unknown, payload: unknown): Promise<Result<unknown>>;
  readonly layout: DataLayout;
  readonly runs: RunCatalog;
  readonly handlers: Handlers;
  /** The series the app trains (at most one at a time). */
  readonly series: SeriesRunner;
  /** Browser mode: the saved or exported file a download URL path names, or null. */
  resolveDownload(urlPath: string): Promise<string | null>;
}

export function createService(deps: ServiceDeps, options: { loadDataset?: DatasetLoad; now?: () => number } = {}): Service {
  const layout = dataLayout(deps.dataDir);
  const runs = new RunCatalog(layout.runs, (id) => deps.host.isActive(id));
  const datasets = new DatasetCatalog(layout.datasetsFile, deps.emit, options.loadDataset);
  const series = new SeriesRunner(deps, layout, datasets, options.now);
  const handlers: Handlers = {
    ...runHandlers(deps, layout, runs, datasets, () => series.busyReason()),
    ...seriesHandlers(series),
    ...modelHandlers(deps, layout, runs),
    ...dataHandlers(deps, datasets),
    ...appHandlers(deps, layout),
  };

  async function handle(channel: unknown, payload: unknown): Promise<Result<unknown>> {
    if (!isChannel(channel)) return fail('UNKNOWN_CHANNEL', `unknown channel ${JSON.stringify(channel)?.slice(0, 100)}`);
    const request = parseRequest(channel, payload);
    if (!request.ok) return request;
    try {
      return await (handlers[channel] as Handler<Channel>)(request.value as never);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err?.code && typeof err.path === 'string') return fail('IO_ERROR', `${channel}: ${err.message}`, { path: err.path });
      return fail('INTERNAL', `${channel}: ${err?.message ?? String(e)}`);
    }
  }

  return { handle, layout, runs, handlers, series, resolveDownload: (urlPath) => resolveDownload(layout, urlPath) };
}
