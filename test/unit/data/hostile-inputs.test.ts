/**
 * Inputs that used to hang or exhaust memory: symlink loops in image folders, gzip bombs in IDX files,
 * devices given as datasets, huge images, file names that are not UTF-8, and scans of whole disks.
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { beforeEach, describe, expect, it } from 'vitest';
import { DatasetError } from '../../../main/data/dataset.js';
import { loadImageFolder } from '../../../main/data/image-folder.js';
import { decodeImage, probeImage } from '../../../main/data/image-decode.js';
import { loadDataset } from '../../../main/data/registry.js';
import { tarBytes, tempDir } from './fixtures.js';

beforeEach(() => {
  process.env.XDG_CACHE_HOME = tempDir('lb-cache-');
});

async function solidPng(w: number, h: number, rgb: [number, number, number]): Promise<Buffer> {
  const create = { width: w, height: h, channels: 3 as const, background: { r: rgb[0], g: rgb[1], b: rgb[2] } };
  return sharp({ create }).png().toBuffer();
}

async function failure(p: Promise<unknown>): Promise<DatasetError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DatasetError);
  return e as DatasetError;
}

/** A folder with classes a and b holding 2 and 3 PNGs (8x8). */
async function twoClasses(): Promise<string> {
  const root = tempDir();
  const png = await solidPng(8, 8, [200, 40, 40]);
  for (const [cls, n] of [
    ['a', 2],
    ['b', 3],
  ] as const) {
    mkdirSync(path.join(root, cls));
    for (let i = 0; i < n; i++) writeFileSync(path.join(root, cls, `${i}.png`), png);
  }
  return root;
}

describe('symlink loops in image folders', () => {
  it('lists each real folder once and reports the links that loop', async () => {
    const root = await twoClasses();
    symlinkSync('.', path.join(root, 'a', 'self'));
    symlinkSync('..', path.join(root, 'b', 'up'));
    const ds = await loadImageFolder(root, { cache: false });
    expect(ds.train.count).toBe(5);
    expect(ds.report?.countsPerClass).toEqual([2, 3]);
    const skipped = ds.report!.skipped.map((s) => [path.relative(root, s.file), s.reason]);
    expect(skipped).toContainEqual([path.join('a', 'self'), expect.stringMatching(/^a link to a folder already scanned: .*symlink loop/)]);
    expect(skipped).toContainEqual([path.join('b', 'up'), expect.stringMatching(/already scanned/)]);
  });

  it('ends on three self-links in one folder', async () => {
    const root = await twoClasses();
    for (const name of ['x', 'y', 'z']) symlinkSync('.', path.join(root, 'a', name));
    const ds = await loadImageFolder(root, { cache: false });
    expect(ds.report?.countsPerClass).toEqual([2, 3]);
    expect(ds.report?.skippedCount).toBe(3);
    expect(ds.report?.skippedByReason).toEqual({ 'a link to a folder already scanned': 3 });
  });

  it('never counts one class folder under another through a link', async () => {
    const root = await twoClasses();
    symlinkSync(path.join(root, 'a'), path.join(root, 'b', 'also-a'));
    const ds = await loadImageFolder(root, { cache: false });
    expect(ds.report?.countsPerClass).toEqual([2, 3]);
  });
});

describe('scans that would never end', () => {
  it('stops after maxEntries files and folders with an error naming the root', async () => {
    const root = await twoClasses();
    const seen: (number | null)[] = [];
    const e = await failure(loadImageFolder(root, { cache: false, maxEntries: 4, onProgress: (n, total) => seen.push(n, total) }));
    expect(e.message).toMatch(new RegExp(`^${root}: more than 4 files and folders below it`));
    expect(seen.slice(0, 2)).toEqual([2, null]);
  });

  it('stops when its signal is aborted, with the signal reason', async () => {
    const root = await twoClasses();
    const controller = new AbortController();
    controller.abort(new Error('canceled by the test'));
    await expect(loadImageFolder(root, { cache: false, signal: controller.signal })).rejects.toThrow('canceled by the test');
  });
});

describe('file names that are not UTF-8', () => {
  it('are read by their bytes and named with the bad bytes escaped; such a folder is skipped with the reason', async () => {
    const root = await twoClasses();
    const inA = (...bytes: Buffer[]) => Buffer.concat([Buffer.from(path.join(root, 'a') + path.sep), ...bytes]);
    const badName = Buffer.from([0x66, 0xff, 0x2e, 0x70, 0x6e, 0x67]); // "f\xff.png"
    writeFileSync(inA(badName), await solidPng(8, 8, [1, 2, 3]));
    mkdirSync(inA(Buffer.from([0x64, 0xfe])));
    writeFileSync(inA(Buffer.from([0x64, 0xfe]), Buffer.from('/1.png')), await solidPng(8, 8, [1, 2, 3]));
    const ds = await loadImageFolder(root, { cache: false });
    expect(ds.report?.countsPerClass).toEqual([3, 3]);
    // Class a: 0.png, 1.png, then f\xff.png (sorted by name), decoded from its own bytes.
    expect([...ds.train.images.subarray(2 * 8 * 8 * 3, 2 * 8 * 8 * 3 + 3)]).toEqual([1, 2, 3]);
    expect(ds.report?.skipped).toEqual([
      {
        file: path.join(root, 'a', 'd\\xfe'),
        reason: expect.stringMatching(/^the folder name is not valid UTF-8 \(bytes shown as \\xNN\)/),
      },
    ]);
  });
});

describe('devices given as datasets', () => {
  it('refuses /dev/zero as an IDX or CIFAR dataset before reading it', async () => {
    for (const ref of ['idx:/dev/zero', 'cifar10:/dev/zero', 'cifar100:/dev/zero']) {
      const e = await failure(loadDataset(ref));
      expect(e.message).toMatch(/^\/dev\/zero: not a regular file or folder \(a device, pipe or socket\)/);
      expect(e.file).toBe('/dev/zero');
    }
  });

  it('refuses /dev/zero as an image folder, saying what it is', async () => {
    const e = await failure(loadDataset('folder:/dev/zero'));
    expect(e.message).toBe(
      '/dev/zero: is a device, pipe or socket, not a folder; folder: datasets need a folder with one subfolder per class',
    );
  });

  it('skips an image name that points at a device', async () => {
    const root = await twoClasses();
    symlinkSync('/dev/zero', path.join(root, 'b', 'zero.png'));
    const ds = await loadImageFolder(root, { cache: false });
    expect(ds.report?.countsPerClass).toEqual([2, 3]);
    expect(ds.report?.skipped).toEqual([
      { file: path.join(root, 'b', 'zero.png'), reason: 'not a regular file (a device, pipe or socket)' },
    ]);
  });
});

describe('gzip bombs in IDX files', () => {
  it('stops inflating past the size the header declares, naming the file and that size', async () => {
    const dir = tempDir();
    const header = Buffer.from([0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28]);
    // Gzip members may be concatenated: 7840 declared bytes, then 4 members of 64 MiB of zeros each.
    const zeros = gzipSync(Buffer.alloc(64 << 20));
    const file = path.join(dir, 'train-images-idx3-ubyte.gz');
    writeFileSync(file, Buffer.concat([gzipSync(Buffer.concat([header, Buffer.alloc(7840)])), zeros, zeros, zeros, zeros]));
    writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), Buffer.concat([Buffer.from([0, 0, 8, 1, 0, 0, 0, 10]), Buffer.alloc(10)]));
    const e = await failure(loadDataset(`idx:${dir}`));
    expect(e.file).toBe(file);
    expect(e.message).toMatch(
      new RegExp(`^${file}: the gzip data inflates to more than the 7840 bytes of data its IDX header declares \\(10x28x28\\)`),
    );
  });

  it('still reads a gzipped IDX file of exactly the declared size', async () => {
    const dir = tempDir();
    const images = Buffer.concat([Buffer.from([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2]), Buffer.from([1, 2, 3, 4, 5, 6, 7, 8])]);
    writeFileSync(path.join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(images));
    writeFileSync(path.join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(Buffer.from([0, 0, 8, 1, 0, 0, 0, 2, 1, 0])));
    const ds = await loadDataset(`idx:${dir}`);
    expect(ds.inputShape).toEqual([2, 2, 1]);
    expect([...ds.train.images]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

/** A PNG whose header claims width x height (the IHDR chunk rewritten, its CRC recomputed). */
async function pngClaiming(width: number, height: number): Promise<Buffer> {
  const png = Buffer.from(await solidPng(4, 4, [9, 9, 9]));
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

describe('huge images', () => {
  it('imports 16000x16000 PNGs at a size a model takes, decoded straight to it', async () => {
    const big = await solidPng(16000, 16000, [10, 200, 30]);
    const probe = await probeImage(big);
    expect(probe).toMatchObject({ format: 'png', width: 16000, height: 16000 });
    const out = await decodeImage(big, probe, { width: 32, height: 24, channels: 3, mode: 'stretch' });
    expect(out.pixels.length).toBe(32 * 24 * 3);
    const root = tempDir();
    for (const cls of ['a', 'b']) {
      mkdirSync(path.join(root, cls));
      writeFileSync(path.join(root, cls, 'big.png'), big);
    }
    const ds = await loadImageFolder(root, { cache: false });
    expect(ds.inputShape).toEqual([1024, 1024, 3]);
    expect(ds.train.images.length).toBe(2 * 1024 * 1024 * 3);
    expect([...ds.train.images.subarray(0, 3)]).toEqual([10, 200, 30]);
  });

  it('a folder of images larger than a model takes defaults to a size within LIMITS.imageSide', async () => {
    const root = tempDir();
    const png = await solidPng(3000, 2000, [50, 60, 70]);
    for (const cls of ['a', 'b']) {
      mkdirSync(path.join(root, cls));
      writeFileSync(path.join(root, cls, '1.png'), png);
    }
    const ds = await loadImageFolder(root, { cache: false });
    expect(ds.inputShape).toEqual([683, 1024, 3]);
    expect([...ds.train.images.subarray(0, 3)]).toEqual([50, 60, 70]);
    expect(ds.report?.warnings[0]).toMatch(
      /most images are 2000x3000, more than the 1024 px per side a model takes; they are scaled to 683x1024/,
    );
  });

  it('refuses an image with more pixels than the limit from its header, naming its size', async () => {
    const claimed = await pngClaiming(20000, 20000);
    await expect(probeImage(claimed)).rejects.toThrow(/^too large: 20000x20000 = 400,000,000 pixels, more than the 268,435,456/);
    const root = await twoClasses();
    writeFileSync(path.join(root, 'a', 'huge.png'), claimed);
    const ds = await loadImageFolder(root, { cache: false });
    expect(ds.report?.skipped).toEqual([
      { file: path.join(root, 'a', 'huge.png'), reason: expect.stringMatching(/^too large: 20000x20000/) },
    ]);
  });
});

describe('folders that cannot be listed', () => {
  it('below a class folder are skipped with the reason; an unreadable root is an error', async () => {
    const root = await twoClasses();
    mkdirSync(path.join(root, 'a', 'sub'));
    writeFileSync(path.join(root, 'a', 'sub', 'x.png'), await solidPng(8, 8, [1, 2, 3]));
    let listings = 0;
    // The second listing is class a's: remove its subfolder before the walk reaches it, as a file system
    // changing under the scan (or /proc) does.
    const onProgress = (_n: number, _t: number | null, phase: string) => {
      if (phase === 'scanning' && ++listings === 2) rmSync(path.join(root, 'a', 'sub'), { recursive: true });
    };
    const ds = await loadImageFolder(root, { cache: false, onProgress });
    expect(ds.report?.countsPerClass).toEqual([2, 3]);
    expect(ds.report?.skipped).toEqual([{ file: path.join(root, 'a', 'sub'), reason: 'folder cannot be listed (ENOENT)' }]);
    expect((await failure(loadImageFolder(path.join(root, 'nothing')))).message).toBe(`${path.join(root, 'nothing')}: no such folder`);
  });
});

describe('CIFAR archives declaring huge files', () => {
  it('refuse a batch file whose tar header declares more than any CIFAR file holds, before reading it', async () => {
    const tar = tarBytes([{ name: 'cifar-10-batches-bin/data_batch_1.bin', data: Buffer.alloc(0) }]);
    // Rewrite the size field (octal, at 124) to 2 GiB and recompute the header checksum (at 148).
    tar.write((2 ** 31).toString(8).padStart(11, '0') + '\0', 124, 'latin1');
    tar.fill(0x20, 148, 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += tar[i];
    tar.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
    const archive = path.join(tempDir(), 'cifar-10-binary.tar.gz');
    writeFileSync(archive, gzipSync(tar));
    const e = await failure(loadDataset(`cifar10:${archive}`));
    expect(e.file).toBe(archive);
    expect(e.message).toMatch(
      new RegExp(
        `^${archive}: cifar-10-batches-bin/data_batch_1.bin declares 2147483648 bytes, more than the 209715200 such a file may hold`,
      ),
    );
  });
});
