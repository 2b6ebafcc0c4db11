/** Exit codes a script can rely on. */
export const EXIT = {
  ok: 0,
  /** Training ran but failed (NaN loss, out of memory, a backend error). */
  trainingFailed: 1,
  /** Bad command line or an invalid spec. */
  usage: 2,
  /** A dataset could not be loaded. */
  dataset: 3,
  /** A file could not be written (disk full, permissions). */
  io: 4,
  /** Stopped by the user (Ctrl-C): history so far is kept. */
  stopped: 130,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
