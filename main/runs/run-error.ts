/** A run-store operation refused or failed, with a code the CLI and the shell map to exit codes / results. */
export class RunError extends Error {
  constructor(
    /** BUSY, FINISHED, UNREADABLE, DATASET_CHANGED, CHECKPOINT_DAMAGED, NO_MODEL, NOT_FOUND, or an errno (ENOSPC ...). */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RunError';
  }
}
