/** The Train view's series panel as data: lists typed by the person become settings or grid axes, checked as a series file. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAINING, type ExperimentSpec } from '../../../common/spec.js';
import { buildSeries, variantName, type SeriesDraft } from '../../../renderer/src/lib/series-form.js';

const mine: ExperimentSpec = {
  model: { name: 'mine', inputShape: [28, 28, 1], layers: [{ type: 'Flatten' }, { type: 'Dense', units: 10, activation: 'softmax' }] },
  training: DEFAULT_TRAINING,
};
const draft = (patch: Partial<SeriesDraft> = {}): SeriesDraft => ({
  name: 'sweep',
  current: { name: 'mine', experiment: mine },
  presets: [],
  specs: [],
  learningRates: '0.001',
  batchSizes: '32',
  optimizers: [],
  epochs: 2,
  repeats: 1,
  ...patch,
});

describe('series panel', () => {
  it('keeps single values as settings and makes lists of two or more a grid, counting the runs', () => {
    const single = buildSeries(draft());
    expect(single.ok && single.series).toMatchObject({ training: { epochs: 2, learningRate: 0.001, batchSize: 32 }, repeats: 1 });
    expect(single.ok && single.series.grid).toBeUndefined();
    expect(single.ok && single.runs).toBe(1);

    const grid = buildSeries(draft({ learningRates: '0.001, 0.01', optimizers: ['adam', 'sgd'], presets: ['seed-dropout'], repeats: 3 }));
    expect(grid.ok && grid.series.grid).toEqual({ learningRate: [0.001, 0.01], optimizer: ['adam', 'sgd'] });
    expect(grid.ok && grid.series.variants.map((v) => v.name)).toEqual(['mine', 'dropout']);
    expect(grid.ok && grid.runs).toBe(2 * 2 * 2 * 3);
  });

  it('names the field the person typed into', () => {
    const notNumber = buildSeries(draft({ learningRates: '0.001, fast' }));
    expect(notNumber.ok ? [] : notNumber.issues).toEqual(['Learning rates: "fast" is not a number']);
    const zero = buildSeries(draft({ batchSizes: '32, 0' }));
    expect(zero.ok ? '' : zero.issues[0]).toMatch(/^Batch sizes \(grid\.batchSize\[1\]: /);
    const none = buildSeries(draft({ current: null }));
    expect(none.ok ? [] : none.issues).toEqual(['Variants: tick the current model, a preset, or add a spec file']);
    const repeats = buildSeries(draft({ repeats: 0 }));
    expect(repeats.ok ? '' : repeats.issues[0]).toMatch(/^Repeats \(repeats: /);
  });

  it('names a variant after its spec file, never twice the same', () => {
    expect(variantName('my net (v2).json', [])).toBe('my net -v2-');
    expect(variantName('mine.json', ['mine'])).toBe('mine 2');
  });
});
