import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeEach, describe, expect, it } from 'vitest';
import { DatasetError } from '../../../main/data/dataset.js';
import { loadImageFolder } from '../../../main/data/image-folder.js';
import { loadDataset } from '../../../main/data/registry.js';
import { bmpBytes, pattern, tempDir } from './fixtures.js';

beforeEach(() => {
  // Never touch the user's cache from tests.
  process.env.XDG_CACHE_HOME = tempDir('lb-cache-');
});

async function png(file: string, w: number, h: number, channels: 1 | 3, seed: number): Promise<Uint8Array> {
  const px = pattern(w, h, channels, seed);
  mkdirSync(path.dirname(file), { recursive: true });
  const img = sharp(px, { raw: { width: w, height: h, channels } });
  // A 1-band raw image is written as RGB unless told it is grayscale.
  writeFileSync(file, await (channels === 1 ? img.toColourspace('b-w') : img).png().toBuffer());
  return px;
}

async function solid(
  file: string,
  w: number,
  h: number,
  rgb: [number, number, number],
  format: 'jpeg' | 'webp' | 'gif' | 'png',
): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  const img = sharp({ create: { width: w, height: h, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });
  writeFileSync(file, await img.toFormat(format).toBuffer());
}

/** Every file's bytes, to prove an import changed nothing. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(e.parentPath, e.name);
    if (e.isFile()) out[full] = readFileSync(full).toString('base64') + statSync(full).mtimeMs;
  }
  return out;
}

async function rejects(p: Promise<unknown>): Promise<DatasetError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DatasetError);
  return e as DatasetError;
}

describe('image folders', () => {
  it('labels follow sorted folder names; lossless pixels round-trip exactly; files untouched', async () => {
    const root = tempDir();
    const zebra = await png(path.join(root, 'zebra', 'z1.png'), 6, 4, 3, 1);
    await png(path.join(root, 'zebra', 'z2.png'), 6, 4, 3, 2);
    const ant = await png(path.join(root, 'ant', 'a1.png'), 6, 4, 3, 3);
    await png(path.join(root, 'ant', 'nested', 'a2.png'), 6, 4, 3, 4);
    await png(path.join(root, 'mole', 'm1.png'), 6, 4, 3, 5);
    await png(path.join(root, 'mole', 'm2.png'), 6, 4, 3, 6);
    const before = snapshot(root);
    const ds = await loadDataset(`folder:${root}`);
    expect(ds.classNames).toEqual(['ant', 'mole', 'zebra']);
    expect(ds.inputShape).toEqual([4, 6, 3]);
    expect([...ds.train.labels]).toEqual([0, 0, 1, 1, 2, 2]);
    expect(Buffer.from(ds.train.images.subarray(0, 72)).equals(Buffer.from(ant))).toBe(true);
    expect(Buffer.from(ds.train.images.subarray(4 * 72, 5 * 72)).equals(Buffer.from(zebra))).toBe(true);
    expect(ds.train.images.byteLength / ds.train.count).toBe(4 * 6 * 3);
    expect(ds.report?.countsPerClass).toEqual([2, 2, 2]);
    expect(ds.report?.skippedCount).toBe(0);
    expect(snapshot(root)).toEqual(before);
  });

  it('grayscale folders load as 1 channel; a test/ root is kept apart with the train classes', async () => {
    const root = tempDir();
    const g = await png(path.join(root, 'train', 'b', '1.png'), 5, 5, 1, 7);
    await png(path.join(root, 'train', 'a', '1.png'), 5, 5, 1, 8);
    await png(path.join(root, 'train', 'a', '2.png'), 5, 5, 1, 9);
    await png(path.join(root, 'test', 'b', '1.png'), 5, 5, 1, 10);
    const ds = await loadImageFolder(root);
    expect(ds.inputShape).toEqual([5, 5, 1]);
    expect(ds.classNames).toEqual(['a', 'b']);
    expect(ds.train.count).toBe(3);
    expect(Buffer.from(ds.train.images.subarray(50, 75)).equals(Buffer.from(g))).toBe(true);
    expect(ds.test?.count).toBe(1);
    expect([...ds.test!.labels]).toEqual([1]);
    expect(ds.report?.testCountsPerClass).toEqual([0, 1]);
    await png(path.join(root, 'test', 'zz', '1.png'), 5, 5, 1, 11);
    const e = await rejects(loadImageFolder(root, { cache: false }));
    expect(e.message).toMatch(/class folder\(s\) "zz" do not exist in the training folder/);
  });

  it('decodes JPEG, WebP, GIF (first frame) and BMP (24-bit and gray palette) files', async () => {
    const root = tempDir();
    await solid(path.join(root, 'jpg', 'a.jpg'), 8, 8, [200, 40, 10], 'jpeg');
    await solid(path.join(root, 'webp', 'a.webp'), 8, 8, [10, 200, 40], 'webp');
    const frames = await Promise.all(
      [
        [0, 0, 255],
        [255, 255, 0],
      ].map(([r, g, b]) =>
        sharp({ create: { width: 8, height: 8, channels: 3, background: { r, g, b } } })
          .png()
          .toBuffer(),
      ),
    );
    mkdirSync(path.join(root, 'gif'));
    writeFileSync(
      path.join(root, 'gif', 'anim.gif'),
      await sharp(frames, { join: { animated: true } })
        .gif()
        .toBuffer(),
    );
    const rgb = pattern(8, 8, 3, 4);
    mkdirSync(path.join(root, 'bmp'));
    writeFileSync(path.join(root, 'bmp', 'a.bmp'), bmpBytes(8, 8, rgb));
    const ds = await loadImageFolder(root, { cache: false });
    expect(ds.report?.skipped).toEqual([]);
    expect(ds.classNames).toEqual(['bmp', 'gif', 'jpg', 'webp']);
    const px = (k: number) => [...ds.train.images.subarray(k * 192, k * 192 + 3)];
    expect(Buffer.from(ds.train.images.subarray(0, 192)).equals(Buffer.from(rgb))).toBe(true);
    expect(px(1)).toEqual([0, 0, 255]);
    px(2).forEach((v, c) => expect(Math.abs(v - [200, 40, 10][c])).toBeLessThan(8));
    px(3).forEach((v, c) => expect(Math.abs(v - [10, 200, 40][c])).toBeLessThan(8));
  });

  it('mixed sizes are resized to the most common size, or to size=, and the mode is stated', async () => {
    const root = tempDir();
    for (let i = 0; i < 3; i++) await png(path.join(root, 'a', `${i}.png`), 10, 8, 3, i);
    await png(path.join(root, 'b', 'big.png'), 40, 20, 3, 9);
    await png(path.join(root, 'b', 'small.png'), 4, 4, 3, 10);
    const ds = await loadImageFolder(root, { cache: false });
    expect(ds.inputShape).toEqual([8, 10, 3]);
    expect(ds.train.count).toBe(5);
    expect(ds.report?.resized?.count).toBe(2);
    expect(ds.report?.resized?.mode).toMatch(/^stretch: .*bilinear/);
    const fixed = await loadDataset(`folder:${root}#size=16x12,channels=1,resize=crop,nocache`);
    expect(fixed.inputShape).toEqual([16, 12, 1]);
    expect(fixed.report?.resized?.count).toBe(5);
    expect(fixed.report?.resized?.mode).toMatch(/^crop/);
    await expect(loadDataset(`folder:${root}#size=big`)).rejects.toThrow(/size "big" must be HEIGHTxWIDTH/);
  });

  it('caches the decoded images; a changed file is a cache miss', async () => {
    const root = tempDir();
    await png(path.join(root, 'a', '1.png'), 6, 6, 3, 1);
    await png(path.join(root, 'b', '1.png'), 6, 6, 3, 2);
    const first = await loadImageFolder(root);
    expect(first.report?.fromCache).toBeUndefined();
    const cacheFiles = readdirSync(path.join(process.env.XDG_CACHE_HOME!, 'layerbench', 'datasets'));
    expect(cacheFiles.filter((f) => f.endsWith('.lbds'))).toHaveLength(1);
    const second = await loadImageFolder(root);
    expect(second.report?.fromCache).toBe(true);
    expect(Buffer.from(second.train.images).equals(Buffer.from(first.train.images))).toBe(true);
    expect([...second.train.labels]).toEqual([...first.train.labels]);
    expect(second.inputShape).toEqual(first.inputShape);
    // The resize mode travels with a cached dataset too: predict decodes new images by it.
    await loadImageFolder(root, { resize: 'crop' });
    const croppedAgain = await loadImageFolder(root, { resize: 'crop' });
    expect(croppedAgain.report?.fromCache).toBe(true);
    expect(croppedAgain.resize).toBe('crop');
    const changed = await png(path.join(root, 'b', '1.png'), 6, 6, 3, 99);
    const third = await loadImageFolder(root);
    expect(third.report?.fromCache).toBeUndefined();
    expect(Buffer.from(third.train.images.subarray(108)).equals(Buffer.from(changed))).toBe(true);
  });

  it('decodes many small files in parallel with progress, and the cached load decodes nothing', async () => {
    const root = tempDir();
    const encoded = await sharp(pattern(32, 32, 3, 1), { raw: { width: 32, height: 32, channels: 3 } })
      .png()
      .toBuffer();
    for (let c = 0; c < 4; c++) {
      mkdirSync(path.join(root, `c${c}`));
      for (let i = 0; i < 250; i++) writeFileSync(path.join(root, `c${c}`, `${i}.png`), encoded);
    }
    const seen: string[] = [];
    const ds = await loadImageFolder(root, {
      onProgress: (done, total, phase) => done === total && seen.push(`${phase} ${done}/${total}`),
    });
    expect(ds.train.count).toBe(1000);
    expect(seen).toEqual(['reading headers 1000/1000', 'decoding 1000/1000']);
    // From the cache: no header read, no decode; the same pixels.
    const seenAgain: string[] = [];
    // The folder is listed again (to check the cache key); nothing is read or decoded.
    const again = await loadImageFolder(root, {
      onProgress: (done, total, phase) => phase !== 'scanning' && seenAgain.push(`${phase} ${done}/${total}`),
    });
    expect(again.report?.fromCache).toBe(true);
    expect(seenAgain).toEqual([]);
    expect(Buffer.from(again.train.images).equals(Buffer.from(ds.train.images))).toBe(true);
  });
});

describe('image folder bad input', () => {
  it('skips and reports zero-byte, truncated, fake and stray files by name and reason', async () => {
    const root = tempDir();
    for (let i = 0; i < 3; i++) await png(path.join(root, 'cat', `${i}.png`), 8, 8, 3, i);
    await solid(path.join(root, 'dog', 'ok.jpg'), 8, 8, [1, 2, 3], 'jpeg');
    await solid(path.join(root, 'dog', 'ok2.jpg'), 8, 8, [1, 2, 3], 'jpeg');
    const jpeg = await sharp(pattern(64, 64, 3, 5), { raw: { width: 64, height: 64, channels: 3 } })
      .jpeg()
      .toBuffer();
    writeFileSync(path.join(root, 'dog', 'truncated.jpg'), jpeg.subarray(0, jpeg.length / 2));
    writeFileSync(path.join(root, 'dog', 'empty.png'), '');
    writeFileSync(path.join(root, 'dog', 'fake.png'), 'this is text, not a picture');
    writeFileSync(path.join(root, 'dog', 'notes.txt'), 'hello');
    writeFileSync(path.join(root, 'loose.png'), 'x');
    const before = snapshot(root);
    const ds = await loadImageFolder(root, { cache: false });
    expect(ds.train.count).toBe(5);
    const reasons = Object.fromEntries(ds.report!.skipped.map((s) => [path.basename(s.file), s.reason]));
    expect(reasons['empty.png']).toBe('empty file (0 bytes)');
    expect(reasons['fake.png']).toMatch(/^not an image \(the content is not JPEG/);
    expect(reasons['truncated.jpg']).toMatch(/^cannot decode JPEG: .*(premature end|damaged or truncated)/i);
    expect(reasons['notes.txt']).toMatch(/not an image file name/);
    expect(reasons['loose.png']).toMatch(/not inside a class folder/);
    expect(ds.report?.skippedCount).toBe(5);
    expect(ds.report?.skipped.every((s) => path.isAbsolute(s.file))).toBe(true);
    expect(snapshot(root)).toEqual(before);
  });

  it('an empty class folder is an error naming it; a class with one image is a warning', async () => {
    const root = tempDir();
    await png(path.join(root, 'a', '1.png'), 4, 4, 3, 1);
    await png(path.join(root, 'a', '2.png'), 4, 4, 3, 2);
    await png(path.join(root, 'one', '1.png'), 4, 4, 3, 3);
    const ds = await loadImageFolder(root, { cache: false });
    expect(ds.report?.warnings.join()).toMatch(/class folder "one" has a single image/);
    mkdirSync(path.join(root, 'empty'));
    let e = await rejects(loadImageFolder(root, { cache: false }));
    expect(e.message).toContain(path.join(root, 'empty'));
    expect(e.message).toMatch(/holds no usable images/);
    writeFileSync(path.join(root, 'empty', 'bad.png'), '');
    e = await rejects(loadImageFolder(root, { cache: false }));
    expect(e.message).toMatch(/its files were skipped: bad\.png \(empty file \(0 bytes\)\)/);
  });

  it('a folder with 100,000 entries that are not images is refused with counts, in a short message', async () => {
    const root = tempDir();
    mkdirSync(path.join(root, 'junk'));
    const t = Date.now();
    for (let i = 0; i < 100_000; i++) writeFileSync(path.join(root, 'junk', `f${i}.dat`), '');
    const made = Date.now() - t;
    const t2 = Date.now();
    const e = await rejects(loadImageFolder(root));
    const took = Date.now() - t2;
    expect(e.message).toMatch(/no image files found \(100000 files skipped: 100000 not an image file name/);
    expect(e.message.length).toBeLessThan(400);
    console.log(`100,000 stray files: created in ${made} ms, refused in ${took} ms`);
  });

  it('paths that do not exist, are files, or have no class folders', async () => {
    let e = await rejects(loadDataset('folder:/no/such/place'));
    expect(e.message).toBe('/no/such/place: no such folder');
    const root = tempDir();
    writeFileSync(path.join(root, 'file.png'), 'x');
    e = await rejects(loadDataset(`folder:${path.join(root, 'file.png')}`));
    expect(e.message).toMatch(/file\.png: is a file/);
    e = await rejects(loadImageFolder(root));
    expect(e.message).toMatch(/no class folders found/);
  });
});
