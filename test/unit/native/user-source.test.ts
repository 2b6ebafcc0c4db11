// The LAYERBENCH_LIBTENSORFLOW source with fake library folders (nothing is built or loaded).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SourceContext } from '../../../scripts/native/lib/sources/context.mjs';
import { userSource } from '../../../scripts/native/lib/sources/user.mjs';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerbench-user-lib-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const context = (given?: string): SourceContext => ({
  cacheRoot: path.join(tmp, 'cache'),
  env: given === undefined ? {} : { LAYERBENCH_LIBTENSORFLOW: given },
  platform: 'linux',
  arch: 'x64',
  glibc: '2.36',
  tfjsNodeDir: '/nowhere',
});

function touch(...parts: string[]) {
  const file = path.join(tmp, ...parts);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '');
}

describe('LAYERBENCH_LIBTENSORFLOW source', () => {
  it('is disabled when the variable is unset', () => {
    expect(userSource(context()).enabled).toBe(false);
  });

  it('finds lib/ and include/ of a libtensorflow folder and an unpacked wheel', async () => {
    touch('tarball', 'lib', 'libtensorflow.so.2');
    touch('tarball', 'include', 'tensorflow', 'c', 'c_api.h');
    const staged = await userSource(context(path.join(tmp, 'tarball'))).stage();
    expect(staged).toMatchObject({ libDir: path.join(tmp, 'tarball', 'lib'), userPath: path.join(tmp, 'tarball') });

    touch('wheel', 'tensorflow', 'libtensorflow_cc.so.2');
    touch('wheel', 'tensorflow', 'include', 'tensorflow', 'c', 'c_api.h');
    expect((await userSource(context(path.join(tmp, 'wheel'))).stage()).libDir).toBe(path.join(tmp, 'wheel', 'tensorflow'));
  });

  it('names the variable and what is missing or wrong', async () => {
    touch('empty', 'README');
    touch('lib.zip');
    await expect(userSource(context(path.join(tmp, 'nope'))).stage()).rejects.toThrow(/LAYERBENCH_LIBTENSORFLOW=.*nope does not exist/);
    await expect(userSource(context(path.join(tmp, 'empty'))).stage()).rejects.toThrow(
      /LAYERBENCH_LIBTENSORFLOW=.*empty: found no lib\/libtensorflow\*\.so\* with include\/tensorflow\/c\/c_api\.h/,
    );
    await expect(userSource(context(path.join(tmp, 'lib.zip'))).stage()).rejects.toThrow('expected a folder, a .tar.gz or a .whl');
  });
});
