/** A training host that records what the service asks of it, for service tests that need no process. */
import { ok, type Result } from '../../../common/contract.js';
import type { TrainingHostLike, TrainingJob } from '../../../main/service/types.js';

export class FakeHost implements TrainingHostLike {
  readonly started: TrainingJob[] = [];
  readonly stopped: string[] = [];
  active = new Set<string>();

  async start(job: TrainingJob): Promise<Result<{ runId: string }>> {
    this.started.push(job);
    this.active.add(job.runId);
    return ok({ runId: job.runId });
  }
  async whenExited(_runId: string) {
    return null;
  }
  stop(runId: string): boolean {
    this.stopped.push(runId);
    return this.active.has(runId);
  }
  isActive(runId: string): boolean {
    return this.active.has(runId);
  }
  activeRuns(): string[] {
    return [...this.active];
  }
  async probeBackend() {
    return { backend: { name: 'cpu' as const, native: false, detail: 'fake backend' } };
  }
}
