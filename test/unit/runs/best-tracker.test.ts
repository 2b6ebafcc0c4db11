import { describe, expect, it } from 'vitest';
import { validateTraining } from '../../../common/schema.js';
import { DEFAULT_TRAINING } from '../../../common/spec.js';
import type { EpochRecord } from '../../../common/training-events.js';
import { BestTracker, DivergenceWatch } from '../../../main/engine/early-stopping.js';

const rec = (epoch: number, val_loss: number, val_accuracy = 0.5): EpochRecord => ({ epoch, loss: 1, accuracy: 0.5, val_loss, val_accuracy, durationMs: 1, samples: 1 });

describe('BestTracker', () => {
  it('follows Keras EarlyStopping: an improvement must beat the best by more than min_delta; patience counts the rest', () => {
    const t = new BestTracker('val_loss', { patience: 2, minDelta: 0.1, restoreBestWeights: true });
    expect(t.update(rec(1, 1.0))).toEqual({ improved: true, stop: false, value: 1.0 });
    expect(t.update(rec(2, 0.95)).improved).toBe(false); // better, but not by more than 0.1
    expect(t.update(rec(3, 0.85))).toEqual({ improved: true, stop: false, value: 0.85 });
    expect(t.update(rec(4, 0.9)).stop).toBe(false);
    expect(t.update(rec(5, 0.8)).stop).toBe(true);
    expect(t.state).toEqual({ monitor: 'val_loss', mode: 'min', best: 0.85, bestEpoch: 3, wait: 2 });
  });

  it('maximises accuracies, never counts NaN as an improvement, and without early stopping never stops', () => {
    const t = new BestTracker('val_accuracy');
    expect(t.update(rec(1, 1, 0.5)).improved).toBe(true);
    expect(t.update(rec(2, 1, NaN))).toEqual({ improved: false, stop: false, value: undefined });
    expect(t.update(rec(3, 1, 0.6)).improved).toBe(true);
    for (let e = 4; e < 50; e++) expect(t.update(rec(e, 1, 0.1)).stop).toBe(false);
  });

  it('continues from a saved state and refuses one tracked on another metric', () => {
    const saved = { monitor: 'val_loss' as const, mode: 'min' as const, best: 0.5, bestEpoch: 4, wait: 1 };
    const t = new BestTracker('val_loss', { patience: 2, minDelta: 0, restoreBestWeights: false }, saved);
    expect(t.update(rec(6, 0.6)).stop).toBe(true);
    expect(() => new BestTracker('loss', undefined, saved)).toThrow(/tracked val_loss but the settings monitor loss/);
  });
});

describe('DivergenceWatch', () => {
  it('fires after three batches far above chance, and not on an ordinary start', () => {
    const w = new DivergenceWatch(10);
    expect(w.threshold).toBeCloseTo(4 * Math.log(10), 6);
    expect([2.4, 2.3, 2.2, 9.3, 9.4].map((l) => w.check(l))).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(w.check(16.1)).toMatch(/diverged: above 9\.21 for 3 batches in a row \(random guessing scores 2\.30\)/);
    expect(new DivergenceWatch(2).threshold).toBe(8);
    expect(new DivergenceWatch(1000).threshold).toBe(12);
  });
});

describe('training settings for checkpoints and early stopping', () => {
  it('are optional, fill defaults, and name the field at fault', () => {
    expect(validateTraining({}).ok).toBe(true);
    expect(validateTraining(DEFAULT_TRAINING)).toEqual({ ok: true, value: DEFAULT_TRAINING });
    const r = validateTraining({ monitor: 'val_accuracy', earlyStopping: { patience: 3 } });
    expect(r).toEqual({ ok: true, value: { ...DEFAULT_TRAINING, monitor: 'val_accuracy', earlyStopping: { patience: 3, minDelta: 0, restoreBestWeights: true } } });
    const bad = validateTraining({ monitor: 'f1', earlyStopping: { patience: -1 } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues.map((i) => i.path).sort()).toEqual(['training.earlyStopping.patience', 'training.monitor']);
  });
});
