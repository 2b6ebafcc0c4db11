/**
 * Datasets the app knows (bundled MNIST and imported sets), the one chosen for training, its sample grid,
 * and the state of an import in progress.
 */
import type { Api, DatasetInfo, DatasetKind, DatasetSample, Events } from '../../../common/contract.js';

/** What an import found beyond the basics; shown when the main side provides it. */
export type ImportFacts = Pick<DatasetInfo, 'classCounts' | 'skipped' | 'skippedCount'>;

export type ImportProgress = Events['dataset:progress'];

export class DatasetsState {
  list = $state.raw<DatasetInfo[]>([]);
  selectedId = $state('mnist');
  samples = $state.raw<DatasetSample[]>([]);
  samplesError = $state<string | null>(null);
  progress = $state.raw<ImportProgress | null>(null);
  importing = $state(false);
  importError = $state<string | null>(null);
  /** Set when the user canceled the last import; cleared by the next one. */
  importCanceled = $state(false);
  /** A canceled answer also comes from closing the file dialog; only a cancel asked here is shown. */
  private cancelAsked = false;
  lastImported = $state.raw<(DatasetInfo & ImportFacts) | null>(null);

  selected: (DatasetInfo & ImportFacts) | undefined = $derived(this.list.find((d) => d.id === this.selectedId));

  constructor(private readonly api: Api) {}

  async refresh(): Promise<string | null> {
    const r = await this.api['dataset:list']({});
    if (!r.ok) return r.error.message;
    this.list = r.value.datasets;
    if (!this.list.some((d) => d.id === this.selectedId) && this.list[0]) this.selectedId = this.list[0].id;
    return null;
  }

  async loadSamples(count = 24): Promise<void> {
    const id = this.selectedId;
    const r = await this.api['dataset:samples']({ datasetId: id, count, split: 'train', seed: 0 });
    if (id !== this.selectedId) return;
    if (r.ok) {
      this.samples = r.value.samples;
      this.samplesError = null;
    } else {
      this.samples = [];
      this.samplesError = r.error.message;
    }
  }

  onProgress(p: ImportProgress): void {
    if (!this.importing) return;
    this.progress = p;
  }

  /** Asks main to stop the running import; `import()` then resolves with null. */
  async cancel(): Promise<void> {
    if (!this.importing) return;
    this.cancelAsked = true;
    const r = await this.api['dataset:cancelImport']({});
    if (!r.ok) this.importError = r.error.message;
  }

  /** `path` is typed by the user in browser mode; in Electron main shows its own dialog. */
  async import(kind: DatasetKind, path?: string): Promise<DatasetInfo | null> {
    this.importing = true;
    this.importError = null;
    this.importCanceled = false;
    this.cancelAsked = false;
    this.progress = null;
    const r = await this.api['dataset:import'](path ? { kind, path } : { kind });
    this.importing = false;
    // The error (or the cancel) is said once, below the form; a stale bar or status would repeat it.
    if (!r.ok || r.value.canceled) this.progress = null;
    if (!r.ok) {
      this.importError = r.error.message;
      return null;
    }
    if (r.value.canceled) {
      this.importCanceled = this.cancelAsked;
      return null;
    }
    const info = r.value.dataset;
    this.lastImported = info;
    await this.refresh();
    this.selectedId = info.id;
    return info;
  }
}
