/**
 * The evaluation of an imported model on a dataset the person chose: an import names no dataset, so each
 * report is kept with the import and dataset it is about, and shown only while both are still the current ones.
 */
import type { Api, EvaluationReport } from '../../../common/contract.js';

export class ImportedEvaluation {
  busy = $state(false);
  report = $state.raw<{ importId: string; datasetId: string; report: EvaluationReport } | null>(null);

  constructor(private readonly api: Api) {}

  /** The report for this import on this dataset, when one was made. */
  reportFor(importId: string, datasetId: string): EvaluationReport | undefined {
    const r = this.report;
    return r && r.importId === importId && r.datasetId === datasetId ? r.report : undefined;
  }

  /** Scores the imported model on the dataset's held-out images. Answers an error or null. */
  async evaluate(importId: string, datasetId: string): Promise<string | null> {
    this.busy = true;
    try {
      const r = await this.api['runs:evaluate']({ importId, datasetId });
      if (!r.ok) return r.error.message;
      this.report = { importId, datasetId, report: r.value };
      return null;
    } catch (e) {
      return (e as Error).message;
    } finally {
      this.busy = false;
    }
  }
}
