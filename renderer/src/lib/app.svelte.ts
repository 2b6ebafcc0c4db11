/**
 * The app's state root: the editor, the live run, the run list and the datasets, wired to the contract's
 * events. Components receive these objects and call their methods; nothing else talks to the API.
 */
import type { Api, AppInfo, DatasetInfo, Events, SeriesProgress } from '../../../common/contract.js';
import type { SeriesFile } from '../../../common/series.js';
import { SeriesState } from './series.svelte.js';
import { DatasetsState } from './datasets.svelte.js';
import { ImportedEvaluation } from './imported-evaluation.svelte.js';
import { EditorState } from './editor.svelte.js';
import { adviceFor, exitFailureCode } from '../../../common/run-failures.js';
import { LiveRun } from './live-run.svelte.js';
import { PredictState } from './predict.svelte.js';
import { readUploads } from './read-files.js';
import { RunsState } from './runs.svelte.js';
import { loadDraft, saveDraft } from './draft.js';

export type View = 'model' | 'data' | 'train' | 'runs';

export interface Notice {
  id: number;
  kind: 'info' | 'error';
  text: string;
}

let noticeId = 1;

export class AppState {
  view = $state<View>('model');
  info = $state.raw<AppInfo | null>(null);
  infoError = $state<string | null>(null);
  connection = $state<'connecting' | 'open' | 'closed'>('connecting');
  notices = $state.raw<Notice[]>([]);
  editor = new EditorState();
  live = new LiveRun();
  runs: RunsState;
  series: SeriesState;
  datasets: DatasetsState;
  stopping = $state(false);
  predictions: PredictState;
  importedEvaluation: ImportedEvaluation;
  importing = $state(false);

  constructor(private readonly api: Api) {
    this.runs = new RunsState(api);
    this.series = new SeriesState(api);
    this.datasets = new DatasetsState(api);
    this.predictions = new PredictState(api);
    this.importedEvaluation = new ImportedEvaluation(api);
    api.on('training:event', (p) => this.onTrainingEvent(p));
    api.on('training:exit', (p) => this.onExit(p));
    api.on('dataset:progress', (p) => this.datasets.onProgress(p));
    api.on('runs:changed', (p) => void this.runs.changed(p.runId));
    api.on('series:progress', (p) => this.onSeriesProgress(p));
  }

  /** A run or a series is training (between a series' runs nothing trains, but the series goes on). */
  get busy(): boolean {
    return this.live.active || this.series.active;
  }

  async init(): Promise<void> {
    const draft = loadDraft();
    if (draft) {
      this.editor.load(draft.experiment, draft.preset, false);
      this.datasets.selectedId = draft.datasetId;
    }
    const [info] = await Promise.all([this.api['app:info']({}), this.runs.refresh(), this.refreshDatasets()]);
    void this.series.refresh();
    if (info.ok) this.info = info.value;
    else this.infoError = info.error.message;
    // A run still active from before this page loaded (a browser reload) keeps streaming into the live panel.
    const active = this.runs.runs.find((r) => r.active);
    if (active) {
      this.live.begin(active.name);
      this.live.runId = active.runId;
      this.live.status = 'running';
      this.live.totalEpochs = active.epochsPlanned;
      this.view = 'train';
      const details = await this.runs.load(active.runId, true);
      if (details && this.live.runId === active.runId) this.live.resume(details.history, details.logTail, details.backend ?? null);
    }
  }

  /** Called from an effect whenever the design changes. */
  persistDraft(): void {
    saveDraft({ experiment: this.editor.experiment, preset: this.editor.presetName, datasetId: this.editor.dataset.id });
  }

  async refreshDatasets(): Promise<void> {
    const err = await this.datasets.refresh();
    if (err) this.notify('error', `Datasets could not be listed: ${err}`);
    this.syncDataset();
    void this.datasets.loadSamples();
  }

  selectDataset(id: string): void {
    this.datasets.selectedId = id;
    this.syncDataset();
    void this.datasets.loadSamples();
  }

  private syncDataset(): void {
    const d: DatasetInfo | undefined = this.datasets.selected;
    if (!d) return;
    if (d.id === this.editor.dataset.id && d.inputShape.join() === this.editor.dataset.inputShape.join()) {
      // Same data: only the catalog's name and size replace the placeholder's, the model is left as it is.
      if (d.name !== this.editor.dataset.name || d.trainCount !== this.editor.dataset.trainCount)
        this.editor.dataset = { ...this.editor.dataset, name: d.name, trainCount: d.trainCount };
      return;
    }
    this.editor.setDataset({ id: d.id, name: d.name, inputShape: d.inputShape, classNames: d.classNames, trainCount: d.trainCount });
  }

  notify(kind: Notice['kind'], text: string): void {
    const n = { id: noticeId++, kind, text };
    this.notices = [...this.notices.slice(-3), n];
    if (kind === 'info') setTimeout(() => this.dismiss(n.id), 6000);
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  get backend() {
    return this.live.backend ?? this.info?.backend ?? null;
  }

  async start(): Promise<void> {
    if (this.editor.blockedReason || this.live.active) return;
    const name = this.editor.runName;
    this.live.begin(name);
    this.view = 'train';
    const initialWeights = this.editor.initialWeights;
    const r = await this.api['training:start']({
      experiment: this.editor.experiment,
      datasetId: this.editor.dataset.id,
      name,
      ...(this.editor.presetName ? { preset: this.editor.presetName } : {}),
      ...(initialWeights ? { initialWeights } : {}),
    });
    if (!r.ok) {
      const issues = (r.error.details as { issues?: { message: string }[] } | undefined)?.issues;
      const message = issues?.length ? `${r.error.message}: ${issues.map((i) => i.message).join('; ')}` : r.error.message;
      this.live.rejected(r.error.code, message);
      return;
    }
    // Events may have arrived before the answer; they carry the id, so adopt it now.
    this.live.runId = r.value.runId;
    void this.runs.refresh();
  }

  /**
   * Brings a Keras or TensorFlow.js model into the editor, its weights on offer for the next run. `files` are
   * what the page read (browser mode); null lets main show its dialog (Electron).
   */
  async importModel(files: File[] | null): Promise<void> {
    this.importing = true;
    try {
      const uploads = files ? (await readUploads(files)).map((f) => f.upload) : null;
      const r = await this.api['model:import'](uploads ? { files: uploads } : {});
      if (!r.ok) return this.notify('error', `The model was not imported: ${r.error.message}`);
      if (r.value.canceled) return;
      const { experiment, importId, source, warnings } = r.value;
      // Train on data the model fits: keep the chosen dataset when it does, else pick one that does.
      const shape = experiment.model.inputShape.join('x');
      const fits = (d: { inputShape: number[] }) => d.inputShape.join('x') === shape;
      if (!fits(this.editor.dataset)) {
        const match = this.datasets.list.find(fits);
        if (match) this.selectDataset(match.id);
      }
      this.editor.loadImported(experiment, { importId, source, warnings, inputShape: experiment.model.inputShape });
      this.view = 'model';
      this.notify('info', `Imported ${source}`);
    } catch (e) {
      this.notify('error', `The model was not imported: ${(e as Error).message}`);
    } finally {
      this.importing = false;
    }
  }

  /** Continues a stopped, failed or interrupted run in the training view, its history first. */
  async resume(runId: string): Promise<void> {
    if (this.live.active) return this.notify('error', 'A run is training; stop it before resuming another.');
    const details = await this.runs.load(runId, true);
    if (!details) return this.notify('error', `The run could not be read: ${this.runs.error ?? runId}`);
    this.live.continueRun(runId, details.name, details.epochsPlanned, details.history, details.logTail, details.backend ?? null);
    this.view = 'train';
    const r = await this.api['training:resume']({ runId });
    if (!r.ok) {
      this.live.rejected(r.error.code, r.error.message);
      return;
    }
    void this.runs.refresh();
  }

  /** Trains a series (built in the Train view's series panel) on the chosen dataset; its runs stream into the live panel. */
  async startSeries(series: SeriesFile): Promise<void> {
    if (this.busy) return;
    const err = await this.series.start(series, this.editor.dataset.id);
    if (err) this.notify('error', `The series was not started: ${err}`);
    void this.runs.refresh();
  }

  async resumeSeries(seriesId: string): Promise<void> {
    if (this.busy) return this.notify('error', 'A run is training; stop it before resuming a series.');
    this.view = 'train';
    const err = await this.series.resume(seriesId);
    if (err) this.notify('error', `The series was not resumed: ${err}`);
  }

  async stop(): Promise<void> {
    if (this.series.active) {
      // The series ends with its current run, stopped at a batch boundary; everything done is kept.
      this.stopping = true;
      const err = await this.series.stop();
      if (err) {
        this.stopping = false;
        this.notify('error', `Could not stop the series: ${err}`);
      }
      return;
    }
    const id = this.live.runId;
    if (!id || !this.live.active) return;
    this.stopping = true;
    const r = await this.api['training:stop']({ runId: id });
    if (!r.ok) {
      this.stopping = false;
      this.notify('error', `Could not stop the run: ${r.error.message}`);
    }
  }

  /** The live panel follows the series' current run: each new run of the series starts it afresh. */
  private onSeriesProgress(p: SeriesProgress): void {
    this.series.onProgress(p);
    if (p.status !== 'running') this.stopping = false;
    const run = p.current;
    if (!run || run.runId === this.live.runId) return;
    this.live.begin(`${p.name}: ${run.group} (seed ${run.seed})`);
    this.live.runId = run.runId;
    this.live.continuing = run.step === 'resume';
  }

  private onTrainingEvent(p: Events['training:event']): void {
    if (this.live.runId === null && this.live.status === 'starting') this.live.runId = p.runId;
    if (p.runId !== this.live.runId) return;
    this.live.handle(p.event);
    if (p.event.type === 'end') {
      this.stopping = false;
      void this.runs.changed(p.runId);
    }
  }

  private onExit(p: Events['training:exit']): void {
    if (p.runId !== this.live.runId) return;
    this.stopping = false;
    if (!this.live.durationMs) this.live.durationMs = performance.now() - this.live.startedAt;
    if (p.reason === 'oom' || p.reason === 'crashed' || (p.reason === 'killed' && this.live.active)) {
      const code = exitFailureCode(p.reason);
      this.live.status = p.reason === 'killed' ? 'stopped' : 'failed';
      if (p.reason !== 'killed') {
        this.live.failure = { code, message: p.message, advice: adviceFor(code) };
        this.live.logLines = [...this.live.logLines, `Error: ${p.message}`];
      }
    }
    void this.adoptStoredStatus(p.runId);
  }

  /**
   * After the process is gone, the run folder is the record: the training view shows the status the run
   * list shows, so the two never disagree (a run that finished before the stop landed reads finished).
   */
  private async adoptStoredStatus(runId: string): Promise<void> {
    await this.runs.changed(runId);
    const stored = this.runs.runs.find((r) => r.runId === runId);
    if (!stored || this.live.runId !== runId || this.live.active) return;
    if (stored.status === 'finished' || stored.status === 'stopped' || stored.status === 'failed') this.live.status = stored.status;
    else if (stored.status === 'crashed') this.live.status = 'failed';
  }
}
