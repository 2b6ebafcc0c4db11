/**
 * resnet20 in a series file: it parses as a preset variant and trains with its own settings (SGD, batch 128,
 * no flips for digits) next to a seed preset with Adam, the series' own settings over both.
 */
import { describe, expect, it } from 'vitest';
import { planExperiments } from '../../../main/series/plan-experiments.js';
import { parseSeriesFile } from '../../../common/series.js';

describe('resnet20 in a series file', () => {
  it('plans each preset with its own training settings under the series settings', async () => {
    const parsed = parseSeriesFile({
      name: 'resnet-vs-seed',
      variants: [
        { name: 'resnet', preset: 'resnet20' },
        { name: 'seed', preset: 'seed-batchnorm' },
      ],
      training: { epochs: 2 },
    });
    if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('; '));
    const plan = await planExperiments(parsed.value, { target: { inputShape: [28, 28, 1], numClasses: 10 } });
    const [resnet, seed] = plan.map((p) => p.experiment);
    expect(plan.map((p) => p.preset)).toEqual(['resnet20', 'seed-batchnorm']);
    expect(resnet.model.layers.filter((l) => l.type === 'Add')).toHaveLength(9);
    expect(resnet.training).toMatchObject({ optimizer: 'sgd', momentum: 0.9, batchSize: 128, epochs: 2 });
    expect(resnet.training.augmentation).toEqual({ horizontalFlip: false, shiftPixels: 4 });
    expect(seed.training).toMatchObject({ optimizer: 'adam', batchSize: 32, epochs: 2 });
  });

  it('names an unknown preset in a series file', () => {
    const parsed = parseSeriesFile({ name: 's', variants: [{ name: 'r', preset: 'resnet21' }] });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(JSON.stringify(parsed.issues)).toMatch(/resnet20/);
  });
});
