/** `layerbench serve [--port N] [--data-dir DIR]`: the app's UI in a browser, on this machine only. */
import { CliError, EXIT } from './exit-codes.js';
import { keepServingThroughErrors } from '../server/crash-guard.js';
import { DEFAULT_PORT, serve } from '../server/serve.js';

export interface ServeArgs {
  port?: number;
  dataDir?: string;
}

export async function serveCommand(args: ServeArgs): Promise<number> {
  const port = args.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be 0..65535, got ${port}`, EXIT.usage);
  keepServingThroughErrors();
  let serving;
  try {
    // LAYERBENCH_TOKEN lets a test harness know the token in advance; by default it is random per launch.
    serving = await serve({
      port,
      ...(args.dataDir ? { dataDir: args.dataDir } : {}),
      ...(process.env.LAYERBENCH_TOKEN ? { token: process.env.LAYERBENCH_TOKEN } : {}),
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE')
      throw new CliError(`port ${port} is in use; choose another with --port N (0 picks a free one)`, EXIT.usage);
    throw new CliError((err as Error).message, EXIT.usage);
  }
  process.stdout.write(
    `Layerbench is serving on this machine only. Open:\n\n    ${serving.server.url}\n\n` +
      `Data folder: ${serving.service.layout.root}\n` +
      `From another machine, tunnel first: ssh -L ${serving.server.port}:127.0.0.1:${serving.server.port} <this host>\n` +
      `Press Ctrl-C to stop.\n`,
  );
  await firstSignal();
  // A second Ctrl-C or SIGTERM while closing ends the process at once.
  const now = () => process.exit(EXIT.stopped);
  process.once('SIGINT', now);
  process.once('SIGTERM', now);
  process.stdout.write('Stopping: ending the trainings and imports in progress.\n');
  await serving.close();
  // Work this process does itself (a folder import decoding thousands of images) cannot be interrupted, and it
  // saves nothing until it is done: exit rather than wait for it with the port already closed.
  process.exit(EXIT.ok);
}

/** Resolves on the first SIGINT or SIGTERM, then listens for neither. */
function firstSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
