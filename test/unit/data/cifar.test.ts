import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CIFAR10, cifar100, loadCifar, parseCifarBatch } from '../../../main/data/cifar.js';
import { DatasetError } from '../../../main/data/dataset.js';
import { loadDataset } from '../../../main/data/registry.js';
import { cifarBytes, pixel, tarGz, tempDir } from './fixtures.js';

const labels10 = (n: number, offset = 0) => Array.from({ length: n }, (_, i) => [(i + offset) % 10]);
const META = 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n';

function cifarFolder(): string {
  const dir = path.join(tempDir(), 'cifar-10-batches-bin');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'data_batch_1.bin'), cifarBytes(labels10(20), 0));
  writeFileSync(path.join(dir, 'data_batch_2.bin'), cifarBytes(labels10(20, 3), 20));
  writeFileSync(path.join(dir, 'test_batch.bin'), cifarBytes(labels10(10), 100));
  writeFileSync(path.join(dir, 'batches.meta.txt'), META);
  return dir;
}

async function expectDatasetError(p: Promise<unknown>, text: RegExp, file?: string, record?: number): Promise<DatasetError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DatasetError);
  const err = e as DatasetError;
  expect(err.message).toMatch(text);
  if (file) expect(err.message).toContain(file);
  if (record !== undefined) expect(err.record).toBe(record);
  return err;
}

describe('CIFAR-10 binary', () => {
  it('turns R, G, B planes into HWC pixels exactly, batches in order, test set apart', async () => {
    const dir = cifarFolder();
    const ds = await loadCifar(dir, CIFAR10);
    expect(ds.inputShape).toEqual([32, 32, 3]);
    expect(ds.classNames[3]).toBe('cat');
    expect(ds.train.count).toBe(40);
    expect(ds.test?.count).toBe(10);
    for (const i of [0, 19, 20, 39]) {
      for (const p of [0, 1, 33, 1023]) {
        for (let c = 0; c < 3; c++) expect(ds.train.images[i * 3072 + p * 3 + c]).toBe(pixel(i, c, p));
      }
    }
    expect(ds.test!.images[5 * 3072 + 7 * 3 + 2]).toBe(pixel(105, 2, 7));
    expect(ds.train.labels[0]).toBe(0);
    expect(ds.train.labels[20]).toBe(3);
    expect(ds.report?.countsPerClass.reduce((a, b) => a + b)).toBe(40);
    expect(ds.report?.testCountsPerClass).toEqual(new Array(10).fill(1));
  });

  it('keeps pixels as uint8: 3072 bytes per image, about 150 MB for 50,000', async () => {
    const ds = await loadCifar(cifarFolder(), CIFAR10);
    expect(ds.train.images).toBeInstanceOf(Uint8Array);
    expect(ds.train.images.byteLength / ds.train.count).toBe(3072);
    expect(ds.train.labels.BYTES_PER_ELEMENT).toBe(2);
    expect((50000 * ds.train.images.byteLength) / ds.train.count / 1e6).toBeCloseTo(153.6, 1);
  });

  it('reads the distributed .tar.gz archive (also its parent folder and a single batch file)', async () => {
    const dir = cifarFolder();
    const archive = path.join(tempDir(), 'cifar-10-binary.tar.gz');
    const files = ['data_batch_1.bin', 'data_batch_2.bin', 'test_batch.bin', 'batches.meta.txt'].map((n) => ({
      name: `cifar-10-batches-bin/${n}`,
      data: readFileSync(path.join(dir, n)),
    }));
    files.push({ name: `cifar-10-batches-bin/${'x'.repeat(120)}.html`, data: Buffer.from('readme') });
    writeFileSync(archive, tarGz(files));
    const before = readFileSync(archive);
    const fromArchive = await loadDataset(`cifar10:${archive}`);
    const fromFolder = await loadDataset(`cifar10:${path.dirname(dir)}`);
    expect(fromArchive.id).toBe(`cifar10:${archive}`);
    expect(Buffer.from(fromArchive.train.images).equals(Buffer.from(fromFolder.train.images))).toBe(true);
    expect([...fromArchive.test!.labels]).toEqual([...fromFolder.test!.labels]);
    expect(readFileSync(archive).equals(before)).toBe(true);
    const single = await loadDataset(`cifar10:${path.join(dir, 'data_batch_2.bin')}`);
    expect(single.train.count).toBe(20);
  });

  it('CIFAR-100 uses the fine or the coarse label byte', async () => {
    const dir = tempDir();
    const recs = Array.from({ length: 6 }, (_, i) => [i % 20, (i * 17) % 100]);
    writeFileSync(path.join(dir, 'train.bin'), cifarBytes(recs));
    writeFileSync(path.join(dir, 'test.bin'), cifarBytes(recs.slice(0, 2)));
    const fine = await loadDataset(`cifar100:${dir}`);
    const coarse = await loadDataset(`cifar100:${dir}#coarse`);
    expect(fine.classNames).toHaveLength(100);
    expect(coarse.classNames).toHaveLength(20);
    expect([...fine.train.labels]).toEqual(recs.map((r) => r[1]));
    expect([...coarse.train.labels]).toEqual(recs.map((r) => r[0]));
    expect(fine.train.images[2 * 3072 + 5 * 3 + 1]).toBe(pixel(2, 1, 5));
    await expectDatasetError(loadDataset(`cifar100:${dir}#medium`), /#fine.*#coarse/);
  });
});

describe('CIFAR bad input', () => {
  // Root reads any file whatever its mode, so this case only means something for an ordinary user.
  it.skipIf(process.getuid?.() === 0)('a batch file without read permission', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'data_batch_1.bin');
    writeFileSync(file, cifarBytes([[1]]));
    chmodSync(file, 0o000);
    await expectDatasetError(loadCifar(dir, CIFAR10), /data_batch_1\.bin: cannot be read \(EACCES\)/);
  });

  it('a truncated batch file names the file and the record', async () => {
    const raw = cifarBytes(labels10(5)).subarray(0, 3073 * 3 + 100);
    const e = await expectDatasetError(
      Promise.resolve().then(() => parseCifarBatch(raw, '/d/data_batch_1.bin', CIFAR10)),
      /truncated: record 3 has only 100 of its 3073 bytes/,
      '/d/data_batch_1.bin',
      3,
    );
    expect(e.file).toBe('/d/data_batch_1.bin');
  });

  it('a batch file of the wrong size (CIFAR-100 records read as CIFAR-10) says so', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'data_batch_1.bin'), cifarBytes(Array.from({ length: 3 }, () => [1, 2])));
    await expectDatasetError(
      loadCifar(dir, CIFAR10),
      /wrong size.*3074-byte records: is it a CIFAR-100 file/,
      path.join(dir, 'data_batch_1.bin'),
    );
    const big = Buffer.alloc(3073 * 10001 + 5);
    expect(() => parseCifarBatch(big, 'big.bin', CIFAR10)).toThrow(/big.bin: wrong size .* 30733078 bytes/);
  });

  it('a label byte out of range names the file and record index', async () => {
    const dir = tempDir();
    const recs = labels10(8);
    recs[6] = [12];
    writeFileSync(path.join(dir, 'data_batch_1.bin'), cifarBytes(recs));
    await expectDatasetError(loadCifar(dir, CIFAR10), /record 6 has label 12, outside 0\.\.9/, 'data_batch_1.bin', 6);
    expect(() => parseCifarBatch(cifarBytes([[3, 100]]), 'train.bin', cifar100('fine'))).toThrow(/record 0 has label 100, outside 0\.\.99/);
  });

  it('an archive that is not CIFAR, a non-archive, a truncated archive and an empty batch', async () => {
    const dir = tempDir();
    const other = path.join(dir, 'photos.tar.gz');
    writeFileSync(other, tarGz([{ name: 'photos/a.jpg', data: Buffer.from('x') }]));
    await expectDatasetError(loadCifar(other, CIFAR10), /not a CIFAR-10 binary archive: it holds no data_batch.*photos\/a\.jpg/, other);
    const text = path.join(dir, 'notes.tar.gz');
    writeFileSync(text, 'just some text, not an archive at all'.repeat(30));
    await expectDatasetError(loadCifar(text, CIFAR10), /not a tar archive/, text);
    const cut = path.join(dir, 'cut.tar.gz');
    const whole = tarGz([{ name: 'cifar-10-batches-bin/data_batch_1.bin', data: cifarBytes(labels10(30)) }]);
    writeFileSync(cut, whole.subarray(0, whole.length / 2));
    await expectDatasetError(loadCifar(cut, CIFAR10), /truncated/, cut);
    const empty = path.join(dir, 'data_batch_9.bin');
    writeFileSync(empty, '');
    await expectDatasetError(loadCifar(empty, CIFAR10), /empty \(0 bytes\)/, empty);
  });

  it('a path that does not exist or cannot be read', async () => {
    await expectDatasetError(loadDataset('cifar10:/no/such/cifar.tar.gz'), /\/no\/such\/cifar\.tar\.gz: no such file or folder/);
    const dir = tempDir();
    await expectDatasetError(loadCifar(dir, CIFAR10), /no CIFAR-10 batch files found here/, dir);
    mkdirSync(path.join(dir, 'data_batch_1.bin'));
    await expectDatasetError(loadCifar(dir, CIFAR10), /data_batch_1\.bin: is a folder or device, not a batch file/);
  });
});
