// The order libtensorflow sources are tried in and the report when none works, with fake sources
// (no network, nothing installed).
import { describe, expect, it } from 'vitest';
import { SourceError } from '../../../scripts/native/lib/shell.mjs';
import type { Source } from '../../../scripts/native/lib/sources/context.mjs';
import { DEFAULT_ORDER, failureReport, trySources } from '../../../scripts/native/lib/try-sources.mjs';

type Behaviour = 'stages' | 'fails' | 'crashes' | 'disabled';

/** Fake sources that record which were staged, in order. */
function fakeSources(behaviour: Record<string, Behaviour>) {
  const staged: string[] = [];
  const sources: Source[] = Object.entries(behaviour).map(([name, b]) => ({
    name,
    enabled: b !== 'disabled',
    stage: async () => {
      staged.push(name);
      if (b === 'fails') throw new SourceError(`${name} unreachable\nsecond line of ${name}`);
      if (b === 'crashes') throw new TypeError(`bug in ${name}`);
      return { libDir: `/cache/${name}/lib`, includeDir: `/cache/${name}/include`, detail: `lib from ${name}` };
    },
  }));
  return { sources, staged };
}

const installEcho = (source: string, staged: { detail: string }) => ({ source, detail: staged.detail });

describe('trySources', () => {
  it('tries the sources in the given order and stops at the first that works', async () => {
    const { sources, staged } = fakeSources({ official: 'stages', lambda: 'stages', user: 'fails', pypi: 'fails' });
    const outcome = await trySources({ order: DEFAULT_ORDER, sources, install: installEcho });
    expect(staged).toEqual(['user', 'pypi', 'official']);
    expect(outcome).toMatchObject({ ok: true, source: 'official', result: { detail: 'lib from official' } });
    expect(outcome.failures.map((f) => f.source)).toEqual(['user', 'pypi']);
    expect(outcome.failures[1].reason).toBe('pypi unreachable\nsecond line of pypi');
  });

  it('takes the first source when it works, trying no other', async () => {
    const { sources, staged } = fakeSources({ user: 'stages', pypi: 'stages', official: 'stages', lambda: 'stages' });
    const outcome = await trySources({ order: ['lambda', 'pypi'], sources, install: installEcho });
    expect(staged).toEqual(['lambda']);
    expect(outcome).toMatchObject({ ok: true, source: 'lambda', failures: [] });
  });

  it('skips a disabled source without reporting it (LAYERBENCH_LIBTENSORFLOW unset)', async () => {
    const { sources, staged } = fakeSources({ user: 'disabled', pypi: 'stages' });
    const outcome = await trySources({ order: ['user', 'pypi'], sources, install: installEcho });
    expect(staged).toEqual(['pypi']);
    expect(outcome.failures).toEqual([]);
  });

  it('counts a library that fails to build or verify as that source failing, and goes on', async () => {
    const { sources, staged } = fakeSources({ pypi: 'stages', official: 'stages' });
    const outcome = await trySources({
      order: ['pypi', 'official'],
      sources,
      install: (source) => {
        if (source === 'pypi') throw new SourceError('verification failed: conv2d gave [0,0,0,0]');
        return source;
      },
    });
    expect(staged).toEqual(['pypi', 'official']);
    expect(outcome).toMatchObject({ ok: true, source: 'official' });
    expect(outcome.failures).toEqual([{ source: 'pypi', reason: 'verification failed: conv2d gave [0,0,0,0]' }]);
  });

  it('collects every failure, unknown names and crashes included, when nothing works', async () => {
    const { sources, staged } = fakeSources({ pypi: 'fails', official: 'crashes', lambda: 'fails' });
    const outcome = await trySources({ order: ['pypi', 'nope', 'official', 'lambda'], sources, install: installEcho });
    expect(staged).toEqual(['pypi', 'official', 'lambda']);
    expect(outcome.ok).toBe(false);
    expect(outcome.failures.map((f) => f.source)).toEqual(['pypi', 'nope', 'official', 'lambda']);
    expect(outcome.failures[1].reason).toBe('unknown source (known: pypi, official, lambda)');
    // A crash is a bug in the setup, not an unreachable source: its stack is kept.
    expect(outcome.failures[2].reason).toMatch(/^TypeError: bug in official\n\s+at /);
  });
});

describe('failureReport', () => {
  it('names each source with its reason, continuation lines indented, and the fallback', () => {
    const lines = failureReport([
      { source: 'pypi', reason: 'download failed: HTTP 503\nretry later' },
      { source: 'lambda', reason: 'npm not found' },
    ]).join('\n');
    expect(lines).toContain('Every source failed:\n  - pypi: download failed: HTTP 503\n      retry later\n  - lambda: npm not found\n');
    expect(lines).toContain('fall back to the wasm');
  });

  it('says so when no source was enabled at all', () => {
    expect(failureReport([]).join('\n')).toContain('  - (none): no source was enabled');
  });
});
