/**
 * The run list, the run that is open (the one the actions, facts, evaluation and prediction act on) and,
 * apart from it, the runs included in the comparison. Details (full history) are fetched once per run when it is
 * selected and cached; a finished run's history never changes, a running one is refetched on `runs:changed`.
 */
import type { Api, EvaluationModel, RunDetails, RunSummary } from '../../../common/contract.js';

export class RunsState {
  runs = $state.raw<RunSummary[]>([]);
  /** The runs included in the comparison (ticked), in the order they were ticked. */
  selected = $state.raw<string[]>([]);
  /** The run opened by clicking its row: every action button acts on it, whatever is ticked. */
  opened = $state<string | null>(null);
  details = $state.raw<Record<string, RunDetails>>({});
  error = $state<string | null>(null);
  loading = $state(false);
  /** The run whose model is being evaluated (one job runs at a time). */
  evaluating = $state<string | null>(null);

  selectedDetails: RunDetails[] = $derived(this.selected.map((id) => this.details[id]).filter((d): d is RunDetails => d !== undefined));
  openedDetails: RunDetails | undefined = $derived(this.opened === null ? undefined : this.details[this.opened]);

  constructor(private readonly api: Api) {}

  async refresh(): Promise<void> {
    this.loading = true;
    const r = await this.api['runs:list']({});
    this.loading = false;
    if (!r.ok) {
      this.error = r.error.message;
      return;
    }
    this.error = null;
    this.runs = [...r.value.runs].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const known = this.runs.map((x) => x.runId);
    this.selected = this.selected.filter((id) => known.includes(id));
    if (this.opened !== null && !known.includes(this.opened)) this.opened = null;
  }

  /** Opens a run for its actions; the comparison is left as it is. */
  async open(runId: string): Promise<void> {
    this.opened = runId;
    const run = this.runs.find((x) => x.runId === runId);
    await this.load(runId, run?.status === 'running');
  }

  async load(runId: string, force = false): Promise<RunDetails | null> {
    if (!force && this.details[runId]) return this.details[runId];
    const r = await this.api['runs:get']({ runId });
    if (!r.ok) {
      this.error = r.error.message;
      return null;
    }
    this.details = { ...this.details, [runId]: r.value };
    return r.value;
  }

  async toggle(runId: string): Promise<void> {
    if (this.selected.includes(runId)) {
      this.selected = this.selected.filter((id) => id !== runId);
      return;
    }
    this.selected = [...this.selected, runId];
    // With no run open yet, the first one ticked is opened, so its actions are at hand.
    this.opened ??= runId;
    const run = this.runs.find((x) => x.runId === runId);
    await this.load(runId, run?.status === 'running');
  }

  /** Ticks (or unticks) several runs at once: a series' group. */
  async toggleMany(runIds: string[], on: boolean): Promise<void> {
    if (!on) {
      this.selected = this.selected.filter((id) => !runIds.includes(id));
      return;
    }
    const added = runIds.filter((id) => !this.selected.includes(id));
    this.selected = [...this.selected, ...added];
    if (added.length) this.opened ??= added[0];
    await Promise.all(added.map((id) => this.load(id, this.runs.find((x) => x.runId === id)?.status === 'running')));
  }

  async changed(runId: string): Promise<void> {
    await this.refresh();
    if (this.details[runId]) await this.load(runId, true);
  }

  /** Scores the run's model on held-out images; the report replaces the run's last one. Answers an error or null. */
  async evaluate(runId: string, model: EvaluationModel): Promise<string | null> {
    this.evaluating = runId;
    const r = await this.api['runs:evaluate']({ runId, model });
    this.evaluating = null;
    if (!r.ok) return r.error.message;
    const d = this.details[runId];
    if (d) this.details = { ...this.details, [runId]: { ...d, evaluation: r.value } };
    return null;
  }

  async remove(runId: string): Promise<string | null> {
    const r = await this.api['runs:delete']({ runId });
    if (!r.ok) return r.error.message;
    this.selected = this.selected.filter((id) => id !== runId);
    if (this.opened === runId) this.opened = null;
    await this.refresh();
    return null;
  }
}
