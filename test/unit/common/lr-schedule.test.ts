import { describe, expect, it } from 'vitest';
import {
  cosineDecay,
  exponentialDecay,
  initialPlateauState,
  learningRateAt,
  plateauAfterEpoch,
  type PlateauState,
} from '../../../common/lr-schedule.js';
import { DEFAULT_TRAINING, type ReduceLROnPlateauSchedule } from '../../../common/spec.js';
import { needsPython, python, runPython } from '../export/python-env.js';

const plateau = (over: Partial<ReduceLROnPlateauSchedule> = {}): ReduceLROnPlateauSchedule => ({
  type: 'ReduceLROnPlateau',
  factor: 0.5,
  patience: 2,
  minDelta: 0,
  cooldown: 1,
  minLr: 0.0002,
  ...over,
});

/** The rate after each epoch when ReduceLROnPlateau watches a loss with these values. */
function plateauRates(s: ReduceLROnPlateauSchedule, values: number[], initial = 0.001): number[] {
  let state: PlateauState = initialPlateauState(initial);
  return values.map((v) => {
    state = plateauAfterEpoch(s, state, v, 'min').state;
    return state.lr;
  });
}

describe('learning-rate schedules', () => {
  it('ExponentialDecay follows initial * rate^(step / decaySteps), floored with staircase (step decay)', () => {
    const s = { type: 'ExponentialDecay' as const, decaySteps: 1000, decayRate: 0.5, staircase: false };
    expect(exponentialDecay(0.001, s, 0)).toBe(0.001);
    expect(exponentialDecay(0.001, s, 2500)).toBeCloseTo(0.001 * Math.SQRT1_2 * 0.25, 12);
    expect(exponentialDecay(0.001, { ...s, staircase: true }, 2500)).toBeCloseTo(0.00025, 12);
    expect(exponentialDecay(0.001, { ...s, staircase: true }, 999)).toBe(0.001);
  });

  it('CosineDecay falls to alpha over decaySteps and stays there', () => {
    const s = { type: 'CosineDecay' as const, decaySteps: 100, alpha: 0.1, warmupSteps: 0 };
    expect(cosineDecay(0.01, s, 0)).toBeCloseTo(0.01, 12);
    expect(cosineDecay(0.01, s, 50)).toBeCloseTo(0.01 * (0.9 * 0.5 + 0.1), 12);
    expect(cosineDecay(0.01, s, 100)).toBeCloseTo(0.001, 12);
    expect(cosineDecay(0.01, s, 5000)).toBeCloseTo(0.001, 12);
  });

  it('CosineDecay with a warm-up climbs linearly to warmupTarget, then decays from it', () => {
    const s = { type: 'CosineDecay' as const, decaySteps: 100, alpha: 0, warmupTarget: 0.1, warmupSteps: 10 };
    expect(cosineDecay(0, s, 0)).toBe(0);
    expect(cosineDecay(0, s, 5)).toBeCloseTo(0.05, 12);
    expect(cosineDecay(0, s, 10)).toBeCloseTo(0.1, 12);
    expect(cosineDecay(0, s, 60)).toBeCloseTo(0.05, 12);
    expect(cosineDecay(0, s, 110)).toBeCloseTo(0, 12);
  });

  it('without a schedule, and under ReduceLROnPlateau before any reduction, the rate is the settings rate', () => {
    expect(learningRateAt(DEFAULT_TRAINING, 12345)).toBe(0.001);
    const settings = { ...DEFAULT_TRAINING, learningRateSchedule: plateau() };
    expect(learningRateAt(settings, 7, { ...initialPlateauState(0.001), lr: Math.fround(0.0005) })).toBe(Math.fround(0.0005));
  });

  it('ReduceLROnPlateau halves after `patience` flat epochs, waits out the cooldown and stops at minLr', () => {
    const f = Math.fround;
    // Epoch 1 sets the best; 2 and 3 are flat: reduce. As in Keras, the epoch that ends the cooldown already
    // counts as flat, so every second epoch reduces, until the rate reaches minLr and stays there.
    const rates = plateauRates(plateau(), [1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(rates).toEqual([
      f(0.001),
      f(0.001),
      f(0.0005),
      f(0.0005),
      f(f(0.0005) * 0.5),
      f(f(0.0005) * 0.5),
      f(0.0002),
      f(0.0002),
      f(0.0002),
    ]);
  });

  it('an improvement by more than minDelta resets the wait; a missing metric changes nothing', () => {
    const s = plateau({ minDelta: 0.1, cooldown: 0 });
    let state = initialPlateauState(0.001);
    state = plateauAfterEpoch(s, state, 1, 'min').state;
    state = plateauAfterEpoch(s, state, 0.95, 'min').state;
    expect(state).toMatchObject({ best: 1, wait: 1 });
    state = plateauAfterEpoch(s, state, undefined, 'min').state;
    expect(state).toMatchObject({ best: 1, wait: 1 });
    state = plateauAfterEpoch(s, state, 0.8, 'min').state;
    expect(state).toMatchObject({ best: 0.8, wait: 0 });
    const max = plateauAfterEpoch(s, plateauAfterEpoch(s, initialPlateauState(0.001), 0.5, 'max').state, 0.55, 'max');
    expect(max.state).toMatchObject({ best: 0.5, wait: 1 });
  });
});

describe('learning-rate schedules against Keras' + needsPython, () => {
  it.skipIf(!python.ok)('match keras.optimizers.schedules and keras.callbacks.ReduceLROnPlateau', () => {
    const steps = [0, 1, 7, 99, 100, 101, 250, 999, 1000, 4321];
    const schedules = [
      {
        ts: { type: 'ExponentialDecay' as const, decaySteps: 100, decayRate: 0.9, staircase: false },
        keras: { decay_steps: 100, decay_rate: 0.9 },
      },
      {
        ts: { type: 'ExponentialDecay' as const, decaySteps: 100, decayRate: 0.5, staircase: true },
        keras: { decay_steps: 100, decay_rate: 0.5, staircase: true },
      },
      { ts: { type: 'CosineDecay' as const, decaySteps: 1000, alpha: 0.05, warmupSteps: 0 }, keras: { decay_steps: 1000, alpha: 0.05 } },
      {
        ts: { type: 'CosineDecay' as const, decaySteps: 800, alpha: 0, warmupTarget: 0.01, warmupSteps: 200 },
        keras: { decay_steps: 800, alpha: 0, warmup_target: 0.01, warmup_steps: 200 },
      },
    ];
    const initial = 0.001;
    const s = plateau({ minDelta: 0.01, cooldown: 2 });
    const values = [1, 0.9, 0.895, 0.9, 0.899, 0.7, 0.71, 0.72, 0.73, 0.74, 0.75, 0.76, 0.77, 0.78];
    const request = {
      initial,
      steps,
      schedules: schedules.map((x) => ({
        class_name: x.ts.type,
        config: { initial_learning_rate: initial, ...x.keras },
      })),
      plateau: {
        monitor: 'val_loss',
        values,
        config: { factor: s.factor, patience: s.patience, min_delta: s.minDelta, cooldown: s.cooldown, min_lr: s.minLr },
      },
    };
    const keras = JSON.parse(runPython('lr_schedules.py', [JSON.stringify(request)])) as {
      schedules: number[][];
      plateau: { logged: number; after: number }[];
    };
    schedules.forEach((x, k) => {
      const ours = steps.map((step) => learningRateAt({ ...DEFAULT_TRAINING, learningRate: initial, learningRateSchedule: x.ts }, step));
      ours.forEach((lr, i) => expect(lr, `${x.ts.type} at step ${steps[i]}`).toBeCloseTo(keras.schedules[k][i], 9));
    });
    const ours = plateauRates(s, values, initial);
    expect(ours).toEqual(keras.plateau.map((p) => Math.fround(p.after)));
    // Keras logs the rate the epoch trained with: the one before this epoch's reduction.
    expect([Math.fround(initial), ...ours.slice(0, -1)]).toEqual(keras.plateau.map((p) => Math.fround(p.logged)));
  });
});
