/** `layerbench evaluate`'s report as text: every column of the tables set apart, whatever the class names. */
import { describe, expect, it } from 'vitest';
import { formatEvaluation } from '../../../main/cli/evaluate-command.js';
import type { RunEvaluation } from '../../../main/runs/evaluate-run.js';

function report(classNames: string[]): RunEvaluation {
  const n = classNames.length;
  return {
    count: 20,
    loss: 0.5,
    accuracy: 0.75,
    classNames,
    confusion: classNames.map((_, i) => classNames.map((_, j) => (i === j ? 8 : 1))),
    perClass: classNames.map((name) => ({ name, precision: 0.8, recall: 0.8, accuracy: 0.9, support: 10 })),
    misclassified: [],
    set: 'test',
    setDescription: `the test set of demo (${n * 10} images)`,
    model: 'final',
    dir: '/tmp/demo/evaluation',
    images: [],
    warnings: [],
    evaluatedAt: '2026-01-01T00:00:00Z',
  } as RunEvaluation;
}

describe('formatEvaluation', () => {
  it.each([[['0', '1']], [['cat', 'dog']], [['a-long-class-name', 'b']]])('sets every per-class column apart (classes %j)', (names) => {
    const lines = formatEvaluation(report(names)).split('\n');
    const header = lines.find((l) => l.includes('precision'))!;
    expect(header.trim().split(/\s+/)).toEqual(['class', 'precision', 'recall', 'accuracy', 'support']);
    const rows = lines.slice(lines.indexOf(header) + 1, lines.indexOf(header) + 1 + names.length);
    for (const [i, row] of rows.entries()) expect(row.trim().split(/\s+/)).toEqual([names[i], '80.0%', '80.0%', '90.0%', '10']);
  });
});
