/** `layerbench runs --dir`: a bad folder is a named usage error, not a stack trace. Run in-process. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliInProcess } from '../helpers/cli.js';
import { EXIT } from '../../../main/cli/exit-codes.js';
import { tempDir } from '../runs/helpers.js';

const cli = cliInProcess;

describe('layerbench runs --dir', () => {
  it('exits 2 naming a --dir that is a file, without a stack trace', async () => {
    const file = path.join(await tempDir('runs-dir'), 'not-a-folder');
    await writeFile(file, 'x');
    const r = await cli('runs', '--dir', file);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toBe(`layerbench: runs --dir: ${file} is a file, not a folder of runs\n`);
  });

  it('says a missing folder holds no runs', async () => {
    const missing = path.join(await tempDir('runs-dir'), 'none');
    expect(await cli('runs', '--dir', missing)).toEqual({ code: EXIT.ok, out: `No runs in ${missing}\n`, err: '' });
  });
});
