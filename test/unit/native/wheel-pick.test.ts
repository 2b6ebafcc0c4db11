// Choosing TensorFlow's wheel from a release's files for a machine's glibc and CPU (fake index, no network).
import { describe, expect, it } from 'vitest';
import { offeredPlatforms, parseManylinuxTag, parseWheelName, pickWheel } from '../../../scripts/native/lib/wheel.mjs';

const cpu = { project: 'tensorflow-cpu', version: '2.21.0' };
const files = (names: string[]) => names.map((filename) => ({ filename, url: `https://files.example/${filename}` }));

// The shape of tensorflow-cpu 2.21.0 on PyPI (manylinux_2_27 only), with an older release's
// manylinux2014 wheels and a release candidate next to it.
const release = files([
  'tensorflow_cpu-2.21.0-cp310-cp310-manylinux_2_27_x86_64.whl',
  'tensorflow_cpu-2.21.0-cp313-cp313-manylinux_2_27_x86_64.whl',
  'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl',
  'tensorflow_cpu-2.21.0-cp311-cp311-win_amd64.whl',
  'tensorflow_cpu-2.21.0rc1-cp311-cp311-manylinux_2_35_x86_64.whl',
  'tensorflow_cpu-2.16.1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
]);

describe('pickWheel', () => {
  it('takes a manylinux wheel the machine can run, of the requested version only, newest Python tag', () => {
    const pick = pickWheel(release, cpu, { glibc: '2.36', arch: 'x86_64' });
    expect(pick?.file.filename).toBe('tensorflow_cpu-2.21.0-cp313-cp313-manylinux_2_27_x86_64.whl');
    expect(pick?.platformTag).toBe('manylinux_2_27_x86_64');
  });

  it('takes nothing when the machine glibc is older than every wheel needs, and says what is offered', () => {
    expect(pickWheel(release, cpu, { glibc: '2.26', arch: 'x86_64' })).toBeUndefined();
    expect(offeredPlatforms(release, cpu)).toEqual(['manylinux_2_27_x86_64', 'win_amd64']);
  });

  it('takes the wheel built for the newest glibc the machine has', () => {
    const mixed = files([
      'tensorflow_cpu-2.21.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
      'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_28_x86_64.whl',
      'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_34_x86_64.whl',
    ]);
    expect(pickWheel(mixed, cpu, { glibc: '2.31', arch: 'x86_64' })?.platformTag).toBe('manylinux_2_28_x86_64');
    expect(pickWheel(mixed, cpu, { glibc: '2.39', arch: 'x86_64' })?.platformTag).toBe('manylinux_2_34_x86_64');
    // A legacy alias in a compound tag counts: manylinux2014 is glibc 2.17.
    const legacyOnly = files(['tensorflow_cpu-2.21.0-cp312-cp312-manylinux2014_x86_64.whl']);
    expect(pickWheel(legacyOnly, cpu, { glibc: '2.17', arch: 'x86_64' })?.platformTag).toBe('manylinux2014_x86_64');
    expect(pickWheel(legacyOnly, cpu, { glibc: '2.12', arch: 'x86_64' })).toBeUndefined();
  });

  it('matches the CPU: an aarch64 machine gets the aarch64 wheel, an x86_64 one never does', () => {
    const tf = files([
      'tensorflow-2.21.0-cp311-cp311-manylinux_2_27_aarch64.whl',
      'tensorflow-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl',
      'tensorflow-2.21.0-cp311-cp311-macosx_12_0_arm64.whl',
    ]);
    const want = { project: 'tensorflow', version: '2.21.0' };
    expect(pickWheel(tf, want, { glibc: '2.35', arch: 'aarch64' })?.file.filename).toBe(
      'tensorflow-2.21.0-cp311-cp311-manylinux_2_27_aarch64.whl',
    );
    expect(pickWheel(tf.slice(0, 1), want, { glibc: '2.35', arch: 'x86_64' })).toBeUndefined();
  });

  it('skips yanked files and needs a glibc (musl has none)', () => {
    const yanked = [{ filename: 'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl', yanked: 'broken' }];
    expect(pickWheel(yanked, cpu, { glibc: '2.36', arch: 'x86_64' })).toBeUndefined();
    expect(pickWheel(release, cpu, { glibc: undefined, arch: 'x86_64' })).toBeUndefined();
  });

  it('does not depend on the order of the index', () => {
    const reversed = [...release].reverse();
    expect(pickWheel(reversed, cpu, { glibc: '2.36', arch: 'x86_64' })?.file.filename).toBe(
      pickWheel(release, cpu, { glibc: '2.36', arch: 'x86_64' })?.file.filename,
    );
  });
});

describe('wheel names and tags', () => {
  it('parses names with and without a build tag, normalising the project', () => {
    expect(parseWheelName('Tensorflow.CPU-2.21.0-1-cp311-cp311-manylinux_2_27_x86_64.whl')).toEqual({
      project: 'tensorflow_cpu',
      version: '2.21.0',
      python: 'cp311',
      platform: 'manylinux_2_27_x86_64',
    });
    expect(parseWheelName('tensorflow_cpu-2.21.0.tar.gz')).toBeUndefined();
  });

  it('reads modern and legacy manylinux tags and nothing else', () => {
    expect(parseManylinuxTag('manylinux_2_27_aarch64')).toEqual({ glibc: [2, 27], arch: 'aarch64' });
    expect(parseManylinuxTag('manylinux2010_x86_64')).toEqual({ glibc: [2, 12], arch: 'x86_64' });
    expect(parseManylinuxTag('musllinux_1_2_x86_64')).toBeUndefined();
    expect(parseManylinuxTag('win_amd64')).toBeUndefined();
  });
});
