/**
 * A BMP decoder, because sharp 0.34's prebuilt libvips has no BMP loader (it needs ImageMagick, which the
 * registry binary leaves out). Handles what cameras, Paint and image libraries write: uncompressed 1, 4, 8
 * bit (palette), 16, 24 and 32 bit, BI_BITFIELDS masks, bottom-up and top-down rows. RLE and embedded
 * JPEG/PNG BMPs are refused with a reason.
 */

export interface RawImage {
  width: number;
  height: number;
  /** 1 when the palette is all grays, else 3 (RGB; BMP alpha is dropped as the importer drops alpha). */
  channels: 1 | 3;
  data: Uint8Array;
}

export class BmpError extends Error {}

const MAX_SIDE = 16384;

function maskShift(mask: number): { shift: number; scale: number } {
  if (mask === 0) return { shift: 0, scale: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  const max = mask >>> shift;
  return { shift, scale: 255 / max };
}

/** Reads the size without decoding the pixels. */
export function bmpHeader(buf: Uint8Array): {
  width: number;
  height: number;
  bpp: number;
  compression: number;
  headerSize: number;
  topDown: boolean;
} {
  if (buf[0] !== 0x42 || buf[1] !== 0x4d) throw new BmpError('not a BMP file (no "BM" signature)');
  if (buf.length < 26) throw new BmpError(`BMP is truncated: ${buf.length} bytes, shorter than its header`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerSize = view.getUint32(14, true);
  let width: number;
  let height: number;
  let bpp: number;
  let compression = 0;
  if (headerSize === 12) {
    width = view.getUint16(18, true);
    height = view.getInt16(20, true);
    bpp = view.getUint16(24, true);
  } else if (headerSize >= 40 && buf.length >= 54) {
    width = view.getInt32(18, true);
    height = view.getInt32(22, true);
    bpp = view.getUint16(28, true);
    compression = view.getUint32(30, true);
  } else {
    throw new BmpError(`BMP header of ${headerSize} bytes is not one this decoder knows, or the file is truncated`);
  }
  const topDown = height < 0;
  height = Math.abs(height);
  if (width <= 0 || height <= 0 || width > MAX_SIDE || height > MAX_SIDE)
    throw new BmpError(`BMP size ${width}x${height} is not plausible`);
  return { width, height, bpp, compression, headerSize, topDown };
}

export function decodeBmp(buf: Uint8Array): RawImage {
  const h = bmpHeader(buf);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const { width, height, bpp, compression, headerSize } = h;
  if (compression === 1 || compression === 2) throw new BmpError('RLE-compressed BMP is not supported; save it uncompressed');
  if (compression !== 0 && compression !== 3 && compression !== 6)
    throw new BmpError(`BMP compression type ${compression} (embedded JPEG/PNG) is not supported`);
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw new BmpError(`BMP with ${bpp} bits per pixel is not supported`);
  const dataOffset = view.getUint32(10, true);
  const stride = Math.ceil((width * bpp) / 32) * 4;
  if (dataOffset + stride * (height - 1) + Math.ceil((width * bpp) / 8) > buf.length) {
    throw new BmpError(
      `BMP is truncated: ${width}x${height} at ${bpp} bits needs ${dataOffset + stride * height} bytes, the file has ${buf.length}`,
    );
  }

  // Channel masks: explicit with BI_BITFIELDS (after a 40-byte header, or inside a larger one), else defaults.
  let masks = bpp === 16 ? [0x7c00, 0x03e0, 0x001f] : [0xff0000, 0x00ff00, 0x0000ff];
  if (compression === 3 || compression === 6) masks = [view.getUint32(54, true), view.getUint32(58, true), view.getUint32(62, true)];
  const fields = masks.map(maskShift);

  let palette: Uint8Array | undefined;
  let gray = false;
  if (bpp <= 8) {
    const entry = headerSize === 12 ? 3 : 4;
    const start = 14 + headerSize + (headerSize === 40 && compression === 3 ? 12 : 0);
    const used = headerSize >= 40 ? view.getUint32(46, true) : 0;
    const colors = used || 1 << bpp;
    palette = new Uint8Array(colors * 3);
    for (let i = 0; i < colors; i++) {
      const at = start + i * entry;
      if (at + 3 > buf.length) throw new BmpError('BMP palette is truncated');
      palette[i * 3] = buf[at + 2];
      palette[i * 3 + 1] = buf[at + 1];
      palette[i * 3 + 2] = buf[at];
    }
    gray = true;
    for (let i = 0; i < colors && gray; i++) gray = palette[i * 3] === palette[i * 3 + 1] && palette[i * 3] === palette[i * 3 + 2];
  }

  const channels = gray ? 1 : 3;
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (h.topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const out = (y * width + x) * channels;
      let r: number;
      let g: number;
      let b: number;
      if (palette) {
        const bit = x * bpp;
        const byte = buf[row + (bit >> 3)];
        const index = bpp === 8 ? byte : (byte >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        if (index * 3 >= palette.length)
          throw new BmpError(`BMP pixel (${x}, ${y}) uses palette entry ${index}, past the ${palette.length / 3} colors`);
        if (gray) {
          data[out] = palette[index * 3];
          continue;
        }
        r = palette[index * 3];
        g = palette[index * 3 + 1];
        b = palette[index * 3 + 2];
      } else if (bpp === 24) {
        const at = row + x * 3;
        b = buf[at];
        g = buf[at + 1];
        r = buf[at + 2];
      } else {
        const v = bpp === 16 ? view.getUint16(row + x * 2, true) : view.getUint32(row + x * 4, true);
        [r, g, b] = fields.map((f, c) => Math.round((((v & masks[c]) >>> 0) >>> f.shift) * f.scale));
      }
      data[out] = r;
      data[out + 1] = g;
      data[out + 2] = b;
    }
  }
  return { width, height, channels, data };
}
