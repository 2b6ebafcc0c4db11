// install-native.mjs's options: the source order from --sources or the environment, and bad options refused.
import { describe, expect, it } from 'vitest';
import { UsageError, parseOptions } from '../../../scripts/native/lib/options.mjs';
import { DEFAULT_ORDER } from '../../../scripts/native/lib/try-sources.mjs';

describe('parseOptions', () => {
  it('defaults to the measured order, PyPI before Google storage and npm', () => {
    expect(parseOptions([], {})).toEqual({ strict: false, force: false, bench: false, order: DEFAULT_ORDER });
    expect(DEFAULT_ORDER).toEqual(['user', 'pypi', 'official', 'lambda']);
  });

  it('takes --sources over LAYERBENCH_NATIVE_SOURCES, trimming blanks', () => {
    const env = { LAYERBENCH_NATIVE_SOURCES: 'lambda' };
    expect(parseOptions(['--strict', '--sources= official ,,pypi'], env)).toMatchObject({ strict: true, order: ['official', 'pypi'] });
    expect(parseOptions(['--force'], env)).toMatchObject({ force: true, order: ['lambda'] });
  });

  it('refuses an unknown option, naming it and the accepted ones', () => {
    expect(() => parseOptions(['--stritc'], {})).toThrow(UsageError);
    expect(() => parseOptions(['--stritc'], {})).toThrow(/Unknown option '--stritc'.*--strict --force --bench --sources/);
  });
});
