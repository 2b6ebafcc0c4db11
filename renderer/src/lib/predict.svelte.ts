/**
 * Predictions of one model (a run's or an imported one's) on images the person picks. In browser mode the page reads the files and
 * keeps them for the previews; in Electron main opens its own dialog and only the file names come back.
 */
import type { Api, EvaluationModel, Prediction } from '../../../common/contract.js';
import { readUploads } from './read-files.js';

export interface PredictedImage {
  prediction: Prediction;
  /** The picked image, shown beside its classes (absent when main picked the file). */
  dataUrl: string | null;
}

/** Whose model classifies: a run's, or an imported model's (which has only its own weights). */
export type PredictedModel = { runId: string } | { importId: string };

/** One key per model, so a panel shows only its own model's answers. */
export const modelKey = (m: PredictedModel): string => ('runId' in m ? `run:${m.runId}` : `import:${m.importId}`);

export class PredictState {
  /** modelKey of the model the results are from. */
  of = $state<string | null>(null);
  busy = $state(false);
  error = $state<string | null>(null);
  results = $state.raw<PredictedImage[]>([]);

  constructor(private readonly api: Api) {}

  /** `files` from the page's file input, or null to let main show its dialog. */
  async predict(source: PredictedModel, model: EvaluationModel, files: File[] | null, top = 3): Promise<void> {
    this.busy = true;
    this.error = null;
    this.of = modelKey(source);
    try {
      const read = files ? await readUploads(files) : null;
      const images = read ? { images: read.map((f) => f.upload) } : {};
      // An imported model has no checkpoints to choose from.
      const r = await this.api['model:predict']('runId' in source ? { ...source, model, top, ...images } : { ...source, top, ...images });
      if (!r.ok) {
        this.error = r.error.message;
        return;
      }
      if (r.value.canceled) return;
      const previews = read ?? [];
      this.results = r.value.predictions.map((prediction, i) => ({
        prediction,
        // Answers come in the order sent; the name is the fallback should the app ever reorder them.
        dataUrl:
          (previews[i]?.upload.name === prediction.file ? previews[i] : previews.find((p) => p.upload.name === prediction.file))?.dataUrl ??
          null,
      }));
    } catch (e) {
      this.error = (e as Error).message;
    } finally {
      this.busy = false;
    }
  }
}
