import { describe, expect, it } from 'vitest';
import { decodeBmp } from '../../../main/data/bmp.js';
import { decodeImage, probeImage } from '../../../main/data/image-decode.js';
import { bmpBytes, pattern } from './fixtures.js';

describe('BMP decoder (sharp 0.34 has no BMP loader)', () => {
  it('decodes 24-bit bottom-up and top-down rows exactly, with row padding', () => {
    const rgb = pattern(5, 3, 3, 2); // 5 px * 3 bytes = 15, padded to 16
    for (const topDown of [false, true]) {
      const img = decodeBmp(bmpBytes(5, 3, rgb, { topDown }));
      expect([img.width, img.height, img.channels]).toEqual([5, 3, 3]);
      expect(Buffer.from(img.data).equals(Buffer.from(rgb))).toBe(true);
    }
  });

  it('decodes 32-bit and an 8-bit palette; an all-gray palette gives 1 channel', () => {
    const rgb = pattern(4, 4, 3, 3);
    expect(Buffer.from(decodeBmp(bmpBytes(4, 4, rgb, { bpp: 32 })).data).equals(Buffer.from(rgb))).toBe(true);
    const idx = Uint8Array.from({ length: 6 }, (_, i) => i % 3);
    const colour = decodeBmp(
      bmpBytes(3, 2, idx, {
        bpp: 8,
        palette: [
          [255, 0, 0],
          [0, 255, 0],
          [0, 0, 255],
        ],
      }),
    );
    expect(colour.channels).toBe(3);
    expect([...colour.data.subarray(3, 6)]).toEqual([0, 255, 0]);
    const gray = decodeBmp(
      bmpBytes(3, 2, idx, {
        bpp: 8,
        palette: [
          [0, 0, 0],
          [128, 128, 128],
          [255, 255, 255],
        ],
      }),
    );
    expect(gray.channels).toBe(1);
    expect([...gray.data]).toEqual([0, 128, 255, 0, 128, 255]);
  });

  it('refuses truncated, RLE and non-BMP data with a reason', () => {
    const full = bmpBytes(8, 8, pattern(8, 8, 3, 1));
    expect(() => decodeBmp(full.subarray(0, 100))).toThrow(/BMP is truncated/);
    const rle = Buffer.from(full);
    rle.writeUInt32LE(1, 30);
    expect(() => decodeBmp(rle)).toThrow(/RLE-compressed BMP is not supported/);
    expect(() => decodeBmp(Buffer.from('hello world, this is text!'))).toThrow(/not a BMP/);
    expect(() => decodeBmp(full.subarray(0, 20))).toThrow(/BMP is truncated: 20 bytes, shorter than its header/);
  });

  it('goes through the importer: probe, then decode and resize with sharp', async () => {
    const rgb = pattern(6, 6, 3, 9);
    const file = bmpBytes(6, 6, rgb);
    const probe = await probeImage(file);
    expect(probe).toEqual({ format: 'bmp', width: 6, height: 6, gray: false });
    const same = await decodeImage(file, probe, { width: 6, height: 6, channels: 3, mode: 'stretch' });
    expect(same.resized).toBe(false);
    expect(Buffer.from(same.pixels).equals(Buffer.from(rgb))).toBe(true);
    const small = await decodeImage(file, probe, { width: 3, height: 3, channels: 1, mode: 'stretch' });
    expect(small.pixels.length).toBe(9);
    const truncated = file.subarray(0, 80);
    await expect(
      decodeImage(truncated, await probeImage(truncated), { width: 6, height: 6, channels: 3, mode: 'stretch' }),
    ).rejects.toThrow(/unsupported or corrupt BMP: BMP is truncated/);
  });
});
