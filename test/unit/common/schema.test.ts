import { describe, expect, it } from 'vitest';
import { preset } from '../../../common/presets.js';
import { validateExperiment, validateModel, validateTraining } from '../../../common/schema.js';

const conv = { type: 'Conv2D', filters: 8, kernelSize: 3, activation: 'relu' };
const model = (layers: unknown[]) => ({ inputShape: [28, 28, 1], layers });

function firstIssue(input: unknown) {
  const r = validateModel(input);
  if (r.ok) throw new Error('expected the spec to be rejected');
  return r.issues[0];
}

describe('spec validation', () => {
  it('accepts every preset', () => {
    for (const name of ['seed-baseline', 'seed-dropout', 'seed-batchnorm', 'seed-both'] as const) {
      expect(validateExperiment(preset(name)).ok).toBe(true);
    }
  });

  it('names layer, field, value and allowed range for negative filters', () => {
    const i = firstIssue(model([{ ...conv, filters: -4 }]));
    expect(i).toMatchObject({ path: 'layers[0].filters', layerIndex: 0, field: 'filters', value: -4 });
    expect(i.allowed).toBe('at least 1');
    expect(i.message).toBe('layers[0] (Conv2D): layers[0].filters is -4; allowed: at least 1');
  });

  it('rejects a kernel of 0', () => {
    const i = firstIssue(model([conv, { ...conv, kernelSize: 0 }]));
    expect(i.layerIndex).toBe(1);
    expect(i.field).toBe('kernelSize');
    expect(i.value).toBe(0);
    expect(i.message).toContain('layers[1] (Conv2D)');
  });

  it('rejects a dropout rate of 1.5', () => {
    const i = firstIssue(model([conv, { type: 'Dropout', rate: 1.5 }]));
    expect(i).toMatchObject({ layerIndex: 1, field: 'rate', value: 1.5, allowed: 'less than 1' });
  });

  it('rejects a million layers without looking at each', () => {
    const layers = new Array(1_000_000).fill(conv);
    const i = firstIssue(model(layers));
    expect(i).toMatchObject({ field: 'layers', value: 1_000_000, allowed: '1 to 200 layers' });
  });

  it('rejects unknown fields, naming them', () => {
    const i = firstIssue(model([{ ...conv, filtres: 3 }]));
    expect(i.message).toContain('unknown field "filtres"');
    expect(i.layerIndex).toBe(0);
  });

  it('rejects wrong types', () => {
    const i = firstIssue(model([{ ...conv, filters: '32' }]));
    expect(i).toMatchObject({ field: 'filters', value: '32' });
    expect(i.allowed).toContain('number');
  });

  it('rejects an unknown layer type and lists the supported ones', () => {
    const i = firstIssue(model([{ type: 'Conv3D', filters: 2 }]));
    expect(i.field).toBe('type');
    expect(i.allowed).toContain('Conv2D');
    expect(i.message).toContain('"Conv3D" is not supported');
  });

  it('rejects a bad input shape', () => {
    const i = firstIssue({ inputShape: [28, 28], layers: [conv] });
    expect(i.field).toBe('inputShape');
  });

  it('rejects batch size 0 in the training settings', () => {
    const r = validateTraining({ batchSize: 0 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toMatchObject({ path: 'training.batchSize', field: 'batchSize', value: 0, allowed: 'at least 1' });
  });

  it('fills training defaults and keeps given values', () => {
    const r = validateTraining({ epochs: 3, optimizer: 'sgd', momentum: 0.9 });
    expect(r.ok && r.value).toMatchObject({ epochs: 3, optimizer: 'sgd', momentum: 0.9, batchSize: 32, learningRate: 0.001 });
  });

  it('accepts a validation split as a fraction or a count, but not a fraction above 0.9', () => {
    expect(validateTraining({ validationSplit: 0.2 }).ok).toBe(true);
    expect(validateTraining({ validationSplit: 10000 }).ok).toBe(true);
    const r = validateTraining({ validationSplit: 0.95 });
    expect(r.ok).toBe(false);
  });

  it('rejects an unknown optimizer, listing the allowed ones', () => {
    const r = validateTraining({ optimizer: 'adagrad' });
    expect(!r.ok && r.issues[0].allowed).toBe('one of "adam", "sgd", "rmsprop"');
  });

  it('accepts a bare model spec as an experiment and collects issues from both parts', () => {
    expect(validateExperiment(model([conv, { type: 'Flatten' }, { type: 'Dense', units: 10, activation: 'softmax' }])).ok).toBe(true);
    const r = validateExperiment({ model: model([{ ...conv, filters: 0 }]), training: { epochs: -1 } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path)).toEqual(['model.layers[0].filters', 'training.epochs']);
  });

  it("fills a schedule's optional fields with Keras's defaults", () => {
    const r = validateTraining({ learningRateSchedule: { type: 'ExponentialDecay', decaySteps: 100, decayRate: 0.5 } });
    expect(r.ok && r.value.learningRateSchedule).toEqual({ type: 'ExponentialDecay', decaySteps: 100, decayRate: 0.5, staircase: false });
    const p = validateTraining({ learningRateSchedule: { type: 'ReduceLROnPlateau', patience: 3 } });
    expect(p.ok && p.value.learningRateSchedule).toEqual({
      type: 'ReduceLROnPlateau',
      factor: 0.1,
      patience: 3,
      minDelta: 1e-4,
      cooldown: 0,
      minLr: 0,
    });
    expect(validateTraining({}).ok && 'learningRateSchedule' in (validateTraining({}) as { value: object }).value).toBe(false);
  });

  it('names the schedule field at fault', () => {
    const bad = (schedule: unknown) => {
      const r = validateTraining({ learningRateSchedule: schedule });
      if (r.ok) throw new Error('expected the schedule to be rejected');
      return r.issues[0];
    };
    expect(bad({ type: 'ExponentialDecay', decaySteps: 100, decayRate: 1.5 })).toMatchObject({
      path: 'training.learningRateSchedule.decayRate',
      value: 1.5,
      allowed: 'at most 1',
    });
    expect(bad({ type: 'ExponentialDecay', decayRate: 0.5 }).path).toBe('training.learningRateSchedule.decaySteps');
    expect(bad({ type: 'ReduceLROnPlateau', factor: 1 })).toMatchObject({
      path: 'training.learningRateSchedule.factor',
      allowed: 'less than 1',
    });
    const type = bad({ type: 'PolynomialDecay' });
    expect(type.path).toBe('training.learningRateSchedule.type');
    expect(type.allowed).toBe('one of "ExponentialDecay", "CosineDecay", "ReduceLROnPlateau"');
    const warmup = bad({ type: 'CosineDecay', decaySteps: 10, warmupSteps: 5 });
    expect(warmup.path).toBe('training.learningRateSchedule.warmupTarget');
    expect(warmup.message).toContain('warmupTarget');
    expect(bad({ type: 'CosineDecay', decaySteps: 10, decayRate: 0.5 }).message).toContain('unknown field "decayRate"');
  });
});
