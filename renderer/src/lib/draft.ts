/**
 * The model being edited survives a reload or a restart: it is kept in the page's local storage (per origin,
 * so per app install or per serve port) and validated again when read back, as any spec from outside is.
 */
import { validateExperiment } from '../../../common/schema.js';
import { isPresetName, type PresetName } from '../../../common/presets.js';
import type { ExperimentSpec } from '../../../common/spec.js';

const KEY = 'layerbench.draft.v1';

export interface Draft {
  experiment: ExperimentSpec;
  preset: PresetName | null;
  datasetId: string;
}

export function saveDraft(draft: Draft): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(draft));
  } catch {
    // Storage full or disabled: the draft is a convenience, the app works without it.
  }
}

export function loadDraft(): Draft | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as { experiment?: unknown; preset?: unknown; datasetId?: unknown };
    const exp = validateExperiment(parsed.experiment);
    if (!exp.ok || typeof parsed.datasetId !== 'string') return null;
    const preset = typeof parsed.preset === 'string' && isPresetName(parsed.preset) ? parsed.preset : null;
    return { experiment: exp.value, preset, datasetId: parsed.datasetId };
  } catch {
    return null;
  }
}
