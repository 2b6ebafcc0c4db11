/** A run-store operation refused or failed, with a code the CLI and the shell map to exit codes / results. */
export class RunError extends Error {
  constructor(
    /** BUSY, LOCKED, FINISHED, UNREADABLE, DATASET_CHANGED, CHECKPOINT_DAMAGED, NO_MODEL, NOT_FOUND, NOT_A_FOLDER, or an errno (ENOSPC ...). */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RunError';
  }
}
