import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTar } from '../../../main/data/tar-reader.js';
import { tarBytes, tempDir } from './fixtures.js';

function hasTar(): boolean {
  try {
    execFileSync('tar', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('tar reader', () => {
  it('reads plain tar, keeps only wanted entries, follows GNU long names', async () => {
    const dir = tempDir();
    const long = `top/${'n'.repeat(150)}.bin`;
    const file = path.join(dir, 'a.tar');
    writeFileSync(
      file,
      tarBytes([
        { name: 'top/skip.txt', data: Buffer.alloc(1000, 1) },
        { name: long, data: Buffer.from('long one') },
        { name: 'top/empty.bin', data: Buffer.alloc(0) },
      ]),
    );
    const tar = await readTar(file, (n) => n.endsWith('.bin'));
    expect(tar.names).toEqual(['top/skip.txt', long, 'top/empty.bin']);
    expect([...tar.files.keys()]).toEqual([long, 'top/empty.bin']);
    expect(tar.files.get(long)!.toString()).toBe('long one');
  });

  it.skipIf(!hasTar())('reads archives written by the system tar in gnu and pax formats', async () => {
    const dir = tempDir();
    const src = path.join(dir, 'cifar-10-batches-bin');
    mkdirSync(src);
    const big = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) & 0xff));
    writeFileSync(path.join(src, 'data_batch_1.bin'), big);
    const longName = `${'d'.repeat(120)}.bin`;
    writeFileSync(path.join(src, longName), 'deep');
    for (const format of ['gnu', 'pax']) {
      const archive = path.join(dir, `${format}.tar.gz`);
      execFileSync('tar', [`--format=${format}`, '-czf', archive, '-C', dir, 'cifar-10-batches-bin']);
      const tar = await readTar(archive, () => true);
      expect(tar.files.get('cifar-10-batches-bin/data_batch_1.bin')!.equals(big)).toBe(true);
      expect(tar.files.get(`cifar-10-batches-bin/${longName}`)!.toString()).toBe('deep');
    }
  });
});
