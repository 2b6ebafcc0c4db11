/**
 * `layerbench serve`: the same service as the desktop app, with training processes started by
 * child_process.fork, reached from a browser over the loopback WebSocket transport.
 */
import type { EventName, Events } from '../../common/contract.js';
import { appVersion } from '../platform/app-version.js';
import type { Launcher } from '../host/launcher.js';
import { TrainingHost } from '../host/training-host.js';
import { defaultDataDir } from '../service/data-dir.js';
import { createService, type Service } from '../service/service.js';
import { defaultRendererDir } from '../service/static-files.js';
import { newToken } from './guards.js';
import { startHttpServer, type RunningServer } from './http-server.js';

export interface ServeOptions {
  port?: number;
  host?: string;
  dataDir?: string;
  rendererDir?: string;
  /** A fixed token (tests); by default a random one per launch. */
  token?: string;
  launcher?: Launcher;
  trainingEntry?: string;
}

export interface Serving {
  server: RunningServer;
  service: Service;
  host: TrainingHost;
  token: string;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 8765;
export const MIN_TOKEN_LENGTH = 16;

export async function serve(options: ServeOptions = {}): Promise<Serving> {
  const token = options.token ?? newToken();
  if (token.length < MIN_TOKEN_LENGTH) throw new Error(`the access token must have at least ${MIN_TOKEN_LENGTH} characters`);
  let server: RunningServer | null = null;
  const emit = <E extends EventName>(event: E, payload: Events[E]) => server?.broadcast(event, payload);
  const host = new TrainingHost({
    emit,
    ...(options.launcher ? { launcher: options.launcher } : {}),
    ...(options.trainingEntry ? { entry: options.trainingEntry } : {}),
  });
  const service = createService({
    mode: 'browser',
    dataDir: options.dataDir ?? defaultDataDir(),
    version: appVersion(),
    versions: { node: process.versions.node },
    host,
    emit,
  });
  server = await startHttpServer({
    port: options.port ?? DEFAULT_PORT,
    ...(options.host ? { host: options.host } : {}),
    rendererDir: options.rendererDir ?? defaultRendererDir(),
    token,
    handle: service.handle,
    resolveDownload: service.resolveDownload,
  });
  const running = server;
  return {
    server: running,
    service,
    host,
    token,
    async close() {
      // Killed runs are marked in their run.json once their process is gone: wait for that, not just the kill.
      const exits = host.activeRuns().map((runId) => host.whenExited(runId));
      // A series must not start its next run while the host is killing this one.
      const series = service.series.abort();
      host.dispose();
      await Promise.all([running.close(), ...exits, series]);
    },
  };
}
