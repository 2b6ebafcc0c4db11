/**
 * Series files, their expansion into runs, and the report's numbers from epoch records (pure, no training).
 */
import { describe, expect, it } from 'vitest';
import { reportHtml, reportMarkdown } from '../../../common/report-documents.js';
import { parseSeriesFile, planSeries, SEED_ABLATION } from '../../../common/series.js';
import { buildReport, formatStat, stat, type ReportRun } from '../../../common/series-report.js';
import type { EpochRecord } from '../../../common/training-events.js';

const epoch = (n: number, accuracy: number, val_accuracy: number, durationMs = 1000): EpochRecord => ({
  epoch: n,
  loss: 1 / n,
  accuracy,
  val_loss: 2 / n,
  val_accuracy,
  durationMs,
  samples: 100,
});

describe('series files', () => {
  it('names the field at fault', () => {
    const bad = parseSeriesFile({ name: 'x', variants: [{ name: 'a', preset: 'seed-nope' }], grid: { learningRate: [-1] }, repeats: 0 });
    expect(bad.ok).toBe(false);
    const messages = bad.ok ? [] : bad.issues.map((i) => i.message);
    expect(messages.some((m) => m.startsWith('variants[0].preset:'))).toBe(true);
    expect(messages.some((m) => m.startsWith('grid.learningRate[0]:'))).toBe(true);
    expect(messages.some((m) => m.startsWith('repeats:'))).toBe(true);
  });

  it('refuses a variant with both or neither of preset and spec, duplicate names, unknown fields and huge plans', () => {
    const both = parseSeriesFile({ name: 'x', variants: [{ name: 'a', preset: 'seed-baseline', spec: 'a.json' }] });
    expect(both.ok ? '' : both.issues[0].message).toMatch(/variants\[0\]: give exactly one of "preset", "spec" or "experiment"/);
    // A model written in the series is checked as a spec, its messages naming the variant and the layer's field.
    const inline = parseSeriesFile({
      name: 'x',
      variants: [{ name: 'mine', experiment: { model: { inputShape: [28, 28, 1], layers: [{ type: 'Dense', units: -3 }] } } }],
    });
    expect(inline.ok).toBe(false);
    if (!inline.ok) {
      expect(inline.issues[0].path).toMatch(/^variants\[0\]\.experiment\./);
      expect(inline.issues[0].message).toMatch(/^variants\[0\] "mine": .*units/);
    }
    const twice = parseSeriesFile({
      name: 'x',
      variants: [
        { name: 'a', preset: 'seed-baseline' },
        { name: 'a', preset: 'seed-dropout' },
      ],
    });
    expect(twice.ok ? '' : twice.issues[0].message).toMatch(/the name "a" is used twice/);
    const unknown = parseSeriesFile({ name: 'x', variants: [{ name: 'a', preset: 'seed-baseline' }], epochz: 3 });
    expect(unknown.ok ? '' : unknown.issues[0].message).toMatch(/epochz/);
    const huge = parseSeriesFile({
      name: 'x',
      variants: [{ name: 'a', preset: 'seed-baseline' }],
      grid: { learningRate: [1e-4, 1e-3, 1e-2, 1e-1], batchSize: [16, 32, 64, 128, 256, 512, 1024] },
      repeats: 10,
    });
    expect(huge.ok ? '' : huge.issues[0].message).toMatch(/280 runs; at most 200/);
  });

  it('expands variants × grid × seeds in training order with unique folder-safe keys', () => {
    const parsed = parseSeriesFile({
      name: 'lr sweep',
      variants: [
        { name: 'base', preset: 'seed-baseline' },
        { name: 'bn', preset: 'seed-batchnorm' },
      ],
      grid: { learningRate: [0.001, 0.01] },
      repeats: 2,
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const plan = planSeries(parsed.value, 7);
    expect(plan).toHaveLength(8);
    expect(plan.map((p) => [p.variant, p.settings.learningRate, p.seed])).toEqual([
      ['base', 0.001, 7],
      ['base', 0.001, 8],
      ['base', 0.01, 7],
      ['base', 0.01, 8],
      ['bn', 0.001, 7],
      ['bn', 0.001, 8],
      ['bn', 0.01, 7],
      ['bn', 0.01, 8],
    ]);
    expect(plan[2]).toMatchObject({ key: '03-base-lr=0.01-seed7', group: 'base lr=0.01', repeat: 0 });
    expect(new Set(plan.map((p) => p.key)).size).toBe(8);
    expect(plan.every((p) => /^[A-Za-z0-9._=+-]+$/.test(p.key))).toBe(true);
  });

  it('has the seed ablation built in: four presets, one seed, 10 epochs', () => {
    expect(parseSeriesFile(SEED_ABLATION).ok).toBe(true);
    expect(SEED_ABLATION.variants.map((v) => v.preset)).toEqual(['seed-baseline', 'seed-dropout', 'seed-batchnorm', 'seed-both']);
    expect(SEED_ABLATION.training).toEqual({ epochs: 10 });
    expect(new Set(planSeries(SEED_ABLATION, 42).map((p) => p.seed))).toEqual(new Set([42]));
  });
});

describe('series report', () => {
  const run = (id: string, group: string, seed: number, history: EpochRecord[]): ReportRun => ({
    id,
    group,
    seed,
    status: 'finished',
    totalParams: 1234,
    history,
    settings: '',
  });

  it('computes final, best (with epoch), gap, time and mean ± sd across repeats from the records', () => {
    const report = buildReport('t', [
      run('a1', 'a', 1, [epoch(1, 0.5, 0.6, 2000), epoch(2, 0.9, 0.7, 4000)]),
      run('a2', 'a', 2, [epoch(1, 0.5, 0.8, 2000), epoch(2, 0.95, 0.75, 2000)]),
      run('b1', 'b', 1, [epoch(1, 0.6, 0.65), epoch(2, 0.7, 0.69)]),
    ]);
    const [a, b] = report.groups;
    expect(a.finalValAccuracy!.mean).toBeCloseTo(0.725, 12);
    expect(a.finalValAccuracy!.sd).toBeCloseTo(Math.sqrt(((0.7 - 0.725) ** 2 + (0.75 - 0.725) ** 2) / 1), 12);
    expect(a.bestValAccuracy!.mean).toBeCloseTo((0.7 + 0.8) / 2, 12);
    expect(a.bestEpochs).toEqual([2, 1]);
    expect(a.gap!.mean).toBeCloseTo((0.9 - 0.7 + (0.95 - 0.75)) / 2, 12);
    expect(a.msPerEpoch!.mean).toBe(2500);
    expect(a.curves.val_accuracy).toEqual([
      { epoch: 1, value: 0.7 },
      { epoch: 2, value: 0.725 },
    ]);
    expect(a.best).toBe(true);
    expect(b.best).toBe(false);
    expect(report.runs.map((r) => r.bestEpoch)).toEqual([2, 1, 2]);
    expect(formatStat(a.finalValAccuracy)).toBe('0.7250 ± 0.0354');
    expect(formatStat(b.finalValAccuracy)).toBe('0.6900');
  });

  it('keeps failed and unstarted runs in the table without breaking the statistics', () => {
    const report = buildReport('t', [run('a1', 'a', 1, [epoch(1, 0.5, 0.6)]), { ...run('a2', 'a', 2, []), status: 'not started' }]);
    expect(report.groups[0].finalValAccuracy).toEqual(stat([0.6]));
    expect(report.runs[1]).toMatchObject({ status: 'not started', epochs: 0, finalValAccuracy: null });
  });

  it('writes HTML without scripts and with one drawn chart per metric, and Markdown that links the PNGs', () => {
    const report = buildReport('Series <x>', [
      run('a1', 'a', 1, [epoch(1, 0.5, 0.6), epoch(2, 0.6, 0.7)]),
      run('b1', 'b', 1, [epoch(1, 0.4, 0.5)]),
    ]);
    const html = reportHtml(report);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('Series &lt;x&gt;');
    expect(html.match(/<figure data-metric=/g)).toHaveLength(4);
    expect(html.match(/<path class="series"/g)).toHaveLength(8);
    const md = reportMarkdown(report, (m) => `charts/${m}.png`);
    expect(md).toContain('![Validation accuracy](charts/val_accuracy.png)');
    expect(md).toContain('| a ★ | – | 1 | 0.7000 | 0.7000 (2) |');
  });
});
