/**
 * The last line of defence of `layerbench serve`: an error nothing else caught is logged and the server keeps
 * serving, instead of Node's default of ending the process and every training it supervises with it. Each
 * known path answers its own errors (http-server.ts); this catches the ones not yet known.
 */
export type ErrorLog = (text: string) => void;

const toStderr: ErrorLog = (text) => process.stderr.write(text);

/** Installs the guard on this process; the returned function removes it. */
export function keepServingThroughErrors(log: ErrorLog = toStderr): () => void {
  const report = (kind: string) => (error: unknown) => {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log(`layerbench serve: ${kind} (the server keeps running): ${detail}\n`);
  };
  const onException = report('uncaught exception');
  const onRejection = report('unhandled promise rejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
