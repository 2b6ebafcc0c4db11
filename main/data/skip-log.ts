/** Collects skipped files: every one is counted by reason, only the first few are kept by name. */
import type { SkippedFile } from './dataset.js';

export const SKIPPED_LISTED = 20;

export class SkipLog {
  readonly listed: SkippedFile[] = [];
  readonly byReason: Record<string, number> = {};
  count = 0;

  add(file: string, reason: string): void {
    this.count++;
    // Group by the reason's first clause so "corrupt JPEG: <libvips detail>" variants count together.
    const key = reason.split(':')[0];
    this.byReason[key] = (this.byReason[key] ?? 0) + 1;
    if (this.listed.length < SKIPPED_LISTED) this.listed.push({ file, reason });
  }

  /** Skipped files inside `dir`, among those listed. */
  listedUnder(dir: string): SkippedFile[] {
    return this.listed.filter((s) => s.file.startsWith(dir));
  }
}
