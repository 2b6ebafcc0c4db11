/**
 * A training host that "trains" without TensorFlow: each job writes a real run folder (run.json, one epoch line
 * per epoch, model/ once finished) the way the training process does, reports its events to the job's
 * observer, and honours a stop between epochs. Service tests of series use it to see what the series asks of
 * the host and what is left on disk.
 */
import { mkdirSync, readFileSync, writeFileSync, appendFileSync, existsSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { fail, ok, type Result } from '../../../common/contract.js';
import type { TrainingEvent } from '../../../common/training-events.js';
import type { ExitOutcome } from '../../../main/host/training-host.js';
import type { JobObserver, ToolJob, ToolOutput, TrainingHostLike, TrainingJob } from '../../../main/host/protocol.js';

/** On the host's clock, every epoch takes this long, and a run's start (process, dataset) this long. */
export const EPOCH_MS = 1000;
export const RUN_START_MS = 500;

export class SeriesHost implements TrainingHostLike {
  readonly jobs: TrainingJob[] = [];
  private readonly stops = new Set<string>();
  private readonly exits = new Map<string, Promise<ExitOutcome>>();
  private readonly active = new Set<string>();
  /** The clock the service under test measures with: it advances as this host "trains". */
  clock = 0;
  readonly now = () => this.clock;
  /** Called after each epoch is written (a test may stop the series here). */
  afterEpoch: (job: TrainingJob, epoch: number) => Promise<void> | void = () => {};

  /** Jobs (by their order) whose process cannot be started, and jobs whose run fails after one epoch. */
  refuseJobs = new Set<number>();
  failJobs = new Set<number>();

  async start(job: TrainingJob, observe?: JobObserver): Promise<Result<{ runId: string }>> {
    if (this.active.size) return fail('BUSY', `run "${[...this.active][0]}" is still training`);
    if (this.refuseJobs.has(this.jobs.length)) {
      this.refuseJobs.delete(this.jobs.length);
      return fail('INTERNAL', 'cannot start the training process: spawn ENOMEM');
    }
    this.jobs.push(job);
    this.active.add(job.runId);
    this.exits.set(job.runId, this.train(job, observe ?? (() => {})));
    return ok({ runId: job.runId });
  }

  private async train(job: TrainingJob, observe: JobObserver): Promise<ExitOutcome> {
    await new Promise((r) => setImmediate(r));
    const info = path.join(job.dir, 'run.json');
    const epochs = path.join(job.dir, 'epochs.jsonl');
    mkdirSync(job.dir, { recursive: true });
    const before = existsSync(epochs) ? readFileSync(epochs, 'utf8').split('\n').filter(Boolean).length : 0;
    const record =
      job.mode === 'resume'
        ? JSON.parse(readFileSync(info, 'utf8'))
        : {
            version: 1,
            name: job.name,
            createdAt: new Date().toISOString(),
            experiment: job.experiment,
            dataset: { id: job.datasetId, name: 'MNIST', source: 'bundled', inputShape: [28, 28, 1], classNames: ['0', '1'] },
            versions: { layerbench: '0', node: process.versions.node },
            ...(job.series ? { series: job.series } : {}),
          };
    const write = (status: string) =>
      writeFileSync(
        info,
        JSON.stringify({
          ...record,
          status,
          ...(status === 'running' ? { process: { pid: process.pid, host: hostname(), startedAt: '' } } : {}),
        }),
      );
    write('running');
    this.clock += RUN_START_MS;
    const planned = job.experiment.training.epochs;
    observe({ type: 'start', initialEpoch: before + 1, epochs: planned } as TrainingEvent);
    let status: 'finished' | 'stopped' | 'failed' = 'finished';
    const fails = this.failJobs.has(this.jobs.indexOf(job));
    for (let epoch = before + 1; epoch <= planned; epoch++) {
      if (this.stops.has(job.runId)) {
        status = 'stopped';
        break;
      }
      if (fails && epoch > 1) {
        status = 'failed';
        break;
      }
      const line = {
        epoch,
        loss: 1 / epoch,
        accuracy: 0.5,
        val_loss: 1 / epoch,
        val_accuracy: 0.5 + epoch / 100,
        durationMs: EPOCH_MS,
        samples: 10,
      };
      appendFileSync(epochs, JSON.stringify(line) + '\n');
      this.clock += EPOCH_MS;
      observe({ type: 'epochEnd', record: line } as TrainingEvent);
      await this.afterEpoch(job, epoch);
    }
    if (status === 'finished') {
      mkdirSync(path.join(job.dir, 'model'), { recursive: true });
      writeFileSync(path.join(job.dir, 'model', 'model.json'), '{}');
    }
    if (status === 'failed') record.error = { code: 'NAN_LOSS', message: 'the loss became NaN in epoch 2' };
    write(status);
    this.active.delete(job.runId);
    this.stops.delete(job.runId);
    return { code: 0, signal: null, reason: 'ended', status, message: '', epochsDone: planned };
  }

  async whenExited(runId: string): Promise<ExitOutcome | null> {
    return (await this.exits.get(runId)) ?? null;
  }
  stop(runId: string): boolean {
    if (!this.active.has(runId)) return false;
    this.stops.add(runId);
    return true;
  }
  isActive(runId: string): boolean {
    return this.active.has(runId);
  }
  activeRuns(): string[] {
    return [...this.active];
  }
  async runTool(_job: ToolJob): Promise<Result<ToolOutput>> {
    return fail('INTERNAL', 'no tools in series tests');
  }
  async probeBackend() {
    return { backend: { name: 'cpu' as const, native: false, detail: 'series test host' } };
  }
}
