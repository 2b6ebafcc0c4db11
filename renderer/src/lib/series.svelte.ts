/**
 * The app's experiment series: the list (series:list), the progress of the one training now (series:progress),
 * and the series report opened from the Runs view. Starting, stopping and resuming go through the contract;
 * the runs themselves stream into the live run panel like any run (app.svelte.ts follows the current one).
 */
import type { Api, SeriesProgress, SeriesSummary } from '../../../common/contract.js';
import type { SeriesFile } from '../../../common/series.js';
import type { SeriesReport } from '../../../common/series-report.js';

export class SeriesState {
  list = $state.raw<SeriesSummary[]>([]);
  /** The latest progress of the series training now, or of the last one this page saw end. */
  progress = $state.raw<SeriesProgress | null>(null);
  /** A start was sent and not answered yet, or its answer was an error. */
  starting = $state(false);
  error = $state<string | null>(null);
  stopping = $state(false);
  /** The series report shown in the Runs view, with its series' id. */
  report = $state.raw<{ seriesId: string; report: SeriesReport } | null>(null);

  active = $derived(this.progress?.status === 'running');

  constructor(private readonly api: Api) {}

  async refresh(): Promise<void> {
    const r = await this.api['series:list']({});
    if (!r.ok) return;
    this.list = r.value.series;
    // A series still training from before this page loaded (a reload) keeps reporting here.
    const running = this.list.find((s) => s.active && s.progress);
    if (running?.progress && (!this.progress || this.progress.seriesId === running.seriesId)) this.progress = running.progress;
    // A series that ended while its end event was missed (the connection dropped) must not look active.
    const shown = this.list.find((s) => s.seriesId === this.progress?.seriesId);
    if (this.progress?.status === 'running' && shown && !shown.active) {
      const { current: _gone, ...rest } = this.progress;
      this.progress = { ...rest, status: shown.status === 'finished' ? 'finished' : shown.status === 'failed' ? 'failed' : 'stopped' };
    }
  }

  onProgress(p: SeriesProgress): void {
    this.progress = p;
    if (p.status !== 'running') {
      this.stopping = false;
      void this.refresh();
    }
  }

  /** Starts a series; answers an error message or null. */
  async start(series: SeriesFile, datasetId: string): Promise<string | null> {
    this.starting = true;
    this.error = null;
    const r = await this.api['series:start']({ series, datasetId });
    this.starting = false;
    if (!r.ok) {
      this.error = r.error.message;
      return r.error.message;
    }
    void this.refresh();
    return null;
  }

  async stop(): Promise<string | null> {
    const id = this.progress?.seriesId;
    if (!id || !this.active) return null;
    this.stopping = true;
    const r = await this.api['series:stop']({ seriesId: id });
    if (!r.ok) this.stopping = false;
    return r.ok ? null : r.error.message;
  }

  async resume(seriesId: string): Promise<string | null> {
    this.error = null;
    const r = await this.api['series:resume']({ seriesId });
    if (!r.ok) return r.error.message;
    void this.refresh();
    return null;
  }

  async openReport(seriesId: string): Promise<string | null> {
    const r = await this.api['series:report']({ seriesId });
    if (!r.ok) return r.error.message;
    this.report = { seriesId, report: r.value.report };
    return null;
  }
}
