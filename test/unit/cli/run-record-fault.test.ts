/**
 * A disk that fills up just as a run finishes: the last write of run.json fails. The CLI must not print
 * "Run finished" and exit 0 (the run would then list as interrupted); it says run.json could not be updated
 * because the disk is full, exits 4, leaves no temporary file, and `resume` records the run afterwards.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXIT } from '../../../main/cli/exit-codes.js';
import { cliInProcess } from '../helpers/cli.js';
import { nodeFileOps } from '../../../main/platform/replace-file.js';
import { tinyExperiment } from '../helpers/fixtures.js';

let work = '';
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'lb-record-fault-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const cli = cliInProcess;

describe('ENOSPC on the final run.json', () => {
  it('exits 4 naming run.json and the full disk, leaves no temporary, and resume records the run', async () => {
    const spec = path.join(work, 'tiny.json');
    await writeFile(spec, JSON.stringify(tinyExperiment({ epochs: 1 })));
    const out = path.join(work, 'run');
    const realWrite = nodeFileOps.writeFile;
    // Only the write that records the end of the run fails, as when the disk fills during training.
    const write = vi.spyOn(nodeFileOps, 'writeFile').mockImplementation(async (file, data) => {
      if (/run\.json\.saving-/.test(file) && String(data).includes('"finishedAt"'))
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return realWrite(file, data);
    });
    let r;
    try {
      r = await cli('train', spec, '--dataset', 'mnist', '--out', out);
    } finally {
      write.mockRestore();
    }
    expect(r.code).toBe(EXIT.io);
    expect(r.out).not.toMatch(/^Run finished/m);
    expect(r.err).toContain(`could not update ${path.join(out, 'run.json')}: disk full (ENOSPC)`);
    expect(r.err).toContain(`layerbench resume ${out}`);
    expect((await readdir(out)).filter((n) => n.includes('run.json') && n !== 'run.json')).toEqual([]);
    expect(JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')).status).toBe('running');

    const resumed = await cli('resume', out);
    expect(resumed.code, resumed.err).toBe(EXIT.ok);
    expect(JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')).status).toBe('finished');
  });
});
