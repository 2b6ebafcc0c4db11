/** Dataset fixtures written by the tests themselves: CIFAR records byte by byte, tar archives, BMP and IDX files. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export function tempDir(prefix = 'lb-data-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Deterministic pixel value of image `i`, channel `c`, position `p`: distinct enough to catch any mix-up. */
export function pixel(i: number, c: number, p: number): number {
  return (i * 31 + c * 97 + p * 7) & 0xff;
}

/** CIFAR records: label byte(s) then R plane, G plane, B plane (1024 bytes each, row-major). */
export function cifarBytes(labels: number[][], first = 0): Buffer {
  const labelBytes = labels[0]?.length ?? 1;
  const rec = labelBytes + 3072;
  const out = Buffer.alloc(labels.length * rec);
  labels.forEach((ls, r) => {
    ls.forEach((l, k) => (out[r * rec + k] = l));
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) out[r * rec + labelBytes + c * 1024 + p] = pixel(first + r, c, p);
  });
  return out;
}

function octalField(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

/** A ustar archive of the given files (names over 100 bytes get a GNU long-name entry). */
export function tarBytes(files: { name: string; data: Buffer }[]): Buffer {
  const blocks: Buffer[] = [];
  const header = (name: string, size: number, type: string) => {
    const h = Buffer.alloc(512);
    h.write(name.slice(0, 100), 0, 'utf8');
    h.write(octalField(0o644, 8), 100);
    h.write(octalField(0, 8), 108);
    h.write(octalField(0, 8), 116);
    h.write(octalField(size, 12), 124);
    h.write(octalField(0, 12), 136);
    h.write('        ', 148);
    h.write(type, 156);
    h.write('ustar\0' + '00', 257, 'latin1');
    let sum = 0;
    for (const b of h) sum += b;
    h.write(octalField(sum, 7) + ' ', 148);
    return h;
  };
  const pad = (n: number) => Buffer.alloc((512 - (n % 512)) % 512);
  for (const f of files) {
    if (Buffer.byteLength(f.name) > 100) {
      const long = Buffer.from(f.name + '\0');
      blocks.push(header('././@LongLink', long.length, 'L'), long, pad(long.length));
    }
    blocks.push(header(f.name, f.data.length, '0'), f.data, pad(f.data.length));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export function tarGz(files: { name: string; data: Buffer }[]): Buffer {
  return gzipSync(tarBytes(files));
}

/** IDX file: magic 0x0000080N, big-endian dims, unsigned bytes. */
export function idxBytes(dims: number[], data: Uint8Array, gzip = true): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  const raw = Buffer.concat([head, Buffer.from(data)]);
  return gzip ? gzipSync(raw) : raw;
}

/** An uncompressed BMP: 24-bit RGB, or 8-bit with the given palette; bottom-up unless topDown. */
export function bmpBytes(
  width: number,
  height: number,
  rgb: Uint8Array,
  opts: { bpp?: 24 | 8 | 32; palette?: number[][]; topDown?: boolean } = {},
): Buffer {
  const bpp = opts.bpp ?? 24;
  const palette = opts.palette ?? [];
  const stride = Math.ceil((width * bpp) / 32) * 4;
  const offset = 54 + palette.length * 4;
  const out = Buffer.alloc(offset + stride * height);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(offset, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(opts.topDown ? -height : height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(bpp, 28);
  out.writeUInt32LE(palette.length, 46);
  palette.forEach(([r, g, b], i) => {
    out[54 + i * 4] = b;
    out[54 + i * 4 + 1] = g;
    out[54 + i * 4 + 2] = r;
  });
  for (let y = 0; y < height; y++) {
    const row = offset + (opts.topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (bpp === 8) out[row + x] = rgb[i];
      else {
        const at = row + x * (bpp / 8);
        out[at] = rgb[i * 3 + 2];
        out[at + 1] = rgb[i * 3 + 1];
        out[at + 2] = rgb[i * 3];
      }
    }
  }
  return out;
}

/** Random-looking but deterministic RGB or gray pixels. */
export function pattern(width: number, height: number, channels: number, seed: number): Uint8Array {
  const out = new Uint8Array(width * height * channels);
  for (let i = 0; i < out.length; i++) out[i] = (seed * 53 + i * 29 + ((i * i) >> 3)) & 0xff;
  return out;
}
