/** A training host that records what the service asks of it, for service tests that need no process. */
import { existsSync } from 'node:fs';
import { fail, ok, type Result } from '../../../common/contract.js';
import type { ToolJob, ToolOutput, TrainingHostLike, TrainingJob } from '../../../main/host/protocol.js';

export class FakeHost implements TrainingHostLike {
  readonly started: TrainingJob[] = [];
  readonly stopped: string[] = [];
  active = new Set<string>();
  /** Each tool job, with whether every file it names existed while it ran (uploads are staged, then removed). */
  readonly tools: { job: ToolJob; filesExisted: boolean }[] = [];
  toolAnswer: (job: ToolJob) => Result<ToolOutput> = () => fail('INTERNAL', 'no tool answer set in this test');

  async start(job: TrainingJob): Promise<Result<{ runId: string }>> {
    this.started.push(job);
    this.active.add(job.runId);
    return ok({ runId: job.runId });
  }
  async whenExited(_runId: string): ReturnType<TrainingHostLike['whenExited']> {
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
  async runTool(job: ToolJob): Promise<Result<ToolOutput>> {
    const files = job.mode === 'import' ? [job.file] : job.images.map((i) => i.path);
    this.tools.push({ job, filesExisted: files.every((f) => existsSync(f)) });
    return this.toolAnswer(job);
  }
  async probeBackend() {
    return { backend: { name: 'cpu' as const, native: false, detail: 'fake backend' } };
  }
}
