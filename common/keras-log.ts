/**
 * Keras-style training log lines, as Keras's `model.fit(verbose=1)` prints them, counting steps (batches)
 * with the time per training step (validation excluded), after a line giving the split:
 *   Train on 40000 samples, validate on 10000 samples
 *   Epoch 1/10
 *   1250/1250 [==============================] - 400s 288ms/step - loss: 1.3217 - accuracy: 0.5365 - ...
 * Shared by the CLI and the UI so both show the same lines.
 */
import type { EpochMetrics, EpochRecord } from './training-events.js';

const BAR_WIDTH = 30;

export function trainOnLine(trainCount: number, validationCount: number): string {
  return validationCount > 0 ? `Train on ${trainCount} samples, validate on ${validationCount} samples` : `Train on ${trainCount} samples`;
}

export function epochHeader(epoch: number, epochs: number): string {
  return `Epoch ${epoch}/${epochs}`;
}

/** Keras's progress-bar format: 4 decimals, or Python's `.4e` (two-digit exponent) for small values. */
export function formatMetric(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) > 1e-3 || value === 0) return value.toFixed(4);
  return value.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2');
}

export function metricsText(m: Partial<EpochMetrics>): string {
  const order: (keyof EpochMetrics)[] = ['loss', 'accuracy', 'val_loss', 'val_accuracy'];
  return order
    .filter((k) => m[k] !== undefined)
    .map((k) => ` - ${k}: ${formatMetric(m[k] as number)}`)
    .join('');
}

export function progressBar(current: number, total: number): string {
  const width = String(total).length;
  const head = `${String(current).padStart(width)}/${total} [`;
  if (current >= total) return `${head}${'='.repeat(BAR_WIDTH)}]`;
  const done = Math.floor((BAR_WIDTH * current) / total);
  const bar = done > 0 ? '='.repeat(done - 1) + '>' : '';
  return `${head}${bar}${'.'.repeat(BAR_WIDTH - bar.length)}]`;
}

export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600)
    return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  if (s >= 60) return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  return `${s}s`;
}

/** A time per unit as Keras prints it: `10ms/step`, `850us/step` or `2s/step`. */
export function perUnit(ms: number, unit: 'step' | 'sample'): string {
  const seconds = ms / 1000;
  if (seconds >= 1) return `${Math.round(seconds)}s/${unit}`;
  if (seconds >= 1e-3) return `${Math.round(ms)}ms/${unit}`;
  return `${Math.round(ms * 1000)}us/${unit}`;
}

/** The in-progress line, rewritten in place in a terminal: `seen` of `total` steps. */
export function batchLine(seen: number, total: number, etaSeconds: number, m: Partial<EpochMetrics>): string {
  return `${progressBar(seen, total)} - ETA: ${formatEta(etaSeconds)}${metricsText(m)}`;
}

/** The line that closes an epoch: the whole epoch's seconds, then the time per training step. */
export function epochLine(record: EpochRecord): string {
  const seconds = Math.round(record.durationMs / 1000);
  // Keras 3 adds `learning_rate` to the epoch's logs when a callback or schedule changes it.
  const lr = record.lr !== undefined ? ` - learning_rate: ${formatMetric(record.lr)}` : '';
  if (record.steps && record.trainMs !== undefined) {
    return `${progressBar(record.steps, record.steps)} - ${seconds}s ${perUnit(record.trainMs / record.steps, 'step')}${metricsText(record)}${lr}`;
  }
  // Epochs recorded before steps were (older runs' epochs.jsonl): as they were printed then.
  const ms = record.samples > 0 ? record.durationMs / record.samples : 0;
  return `${progressBar(record.samples, record.samples)} - ${seconds}s ${perUnit(ms, 'sample')}${metricsText(record)}${lr}`;
}
