/**
 * Decodes one image file to uint8 pixels with sharp (libvips, on libuv's thread pool, so several decodes
 * run at once on all cores), and BMP with the decoder in bmp.ts. The format is taken from the file's first
 * bytes, never from its extension, so a renamed text file is reported as "not an image".
 */
import sharp from 'sharp';
import { BmpError, bmpHeader, decodeBmp } from './bmp.js';

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'bmp';

/** How an image of another size is brought to the dataset's size. */
export type ResizeMode = 'stretch' | 'crop' | 'pad';

export const RESIZE_MODES: Record<ResizeMode, string> = {
  stretch: 'stretched to the size, ignoring aspect ratio (bilinear), as Keras image_dataset_from_directory does by default',
  crop: 'scaled to cover the size, then the centre cropped (bilinear), as Keras crop_to_aspect_ratio=True',
  pad: 'scaled to fit inside the size, the rest padded with black (bilinear), as Keras pad_to_aspect_ratio=True',
};

export interface ImageProbe {
  format: ImageFormat;
  width: number;
  height: number;
  /** True when the image has no colour (grayscale, with or without alpha). */
  gray: boolean;
}

export class ImageDecodeError extends Error {}

/**
 * Pixels an image may have before it is refused unread (16384 x 16384). Below it, decoding streams: libvips
 * reads the file top to bottom into the resize (and JPEG and WebP shrink while loading), so memory follows
 * the target size, not the file's.
 */
export const MAX_INPUT_PIXELS = 16384 * 16384;

function checkPixels(width: number, height: number): void {
  if (width * height > MAX_INPUT_PIXELS) {
    throw new ImageDecodeError(
      `too large: ${width}x${height} = ${(width * height).toLocaleString('en-US')} pixels, more than the ` +
        `${MAX_INPUT_PIXELS.toLocaleString('en-US')} (16384x16384) an image may have`,
    );
  }
}

/** How sharp opens every file: pixel limit, top-to-bottom streaming, first frame of a GIF. */
const OPEN = { limitInputPixels: MAX_INPUT_PIXELS, sequentialRead: true, pages: 1 } as const;

export function sniffFormat(buf: Uint8Array): ImageFormat | undefined {
  const at = (i: number, s: string) => [...s].every((ch, k) => buf[i + k] === ch.charCodeAt(0));
  if (buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  if (buf[0] === 0x89 && at(1, 'PNG')) return 'png';
  if (at(0, 'GIF8')) return 'gif';
  if (at(0, 'RIFF') && at(8, 'WEBP')) return 'webp';
  if (at(0, 'BM')) return 'bmp';
  return undefined;
}

function why(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  // libvips may lead with a generic "Warning treated as error due to failOn setting"; the useful line
  // (e.g. "VipsJpeg: Premature end of JPEG file") follows it, when libvips reports one at all.
  const detail = lines.find((l) => /^Vips\w*: /.test(l));
  if (detail) return detail.replace(/^Vips\w*: /, '');
  if (/failOn/.test(lines[0] ?? '')) return 'the image data is damaged or truncated';
  return (lines[0] ?? 'unknown error').replace(/^Input buffer has corrupt header: /, 'corrupt header: ');
}

/** Reads format, size and colour from the header only (cheap: no pixels are decoded). */
export async function probeImage(buf: Uint8Array): Promise<ImageProbe> {
  if (buf.length === 0) throw new ImageDecodeError('empty file (0 bytes)');
  const format = sniffFormat(buf);
  if (!format) throw new ImageDecodeError('not an image (the content is not JPEG, PNG, WebP, GIF or BMP)');
  try {
    if (format === 'bmp') {
      const h = bmpHeader(buf);
      // Only a palette can be all grays; decoding a small header-sized guess would cost as much as decoding.
      checkPixels(h.width, h.height);
      const gray = h.bpp <= 8 ? decodeBmp(buf).channels === 1 : false;
      return { format, width: h.width, height: h.height, gray };
    }
    // Reading the header needs no pixel limit; the size it declares is checked here, with the reason.
    const meta = await sharp(buf, { limitInputPixels: false }).metadata();
    if (!meta.width || !meta.height) throw new ImageDecodeError('the image has no size');
    checkPixels(meta.width, meta.pageHeight ?? meta.height);
    const gray = meta.space === 'b-w' || meta.space === 'grey16' || (meta.channels ?? 3) <= 2;
    return { format, width: meta.width, height: meta.pageHeight ?? meta.height, gray };
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    throw new ImageDecodeError(`corrupt ${format.toUpperCase()}: ${why(e)}`);
  }
}

export interface DecodeTarget {
  width: number;
  height: number;
  channels: 1 | 3;
  mode: ResizeMode;
}

const FIT = { stretch: 'fill', crop: 'cover', pad: 'contain' } as const;

/** Decodes `buf` (GIF: its first frame) to exactly target.height x target.width x target.channels bytes. */
export async function decodeImage(buf: Uint8Array, probe: ImageProbe, target: DecodeTarget): Promise<{ pixels: Buffer; resized: boolean }> {
  try {
    let image: sharp.Sharp;
    if (probe.format === 'bmp') {
      const raw = decodeBmp(buf);
      image = sharp(raw.data, { ...OPEN, raw: { width: raw.width, height: raw.height, channels: raw.channels } });
    } else {
      // Default failOn ('warning') makes libvips refuse truncated or damaged files instead of padding them gray.
      image = sharp(buf, OPEN);
    }
    const resized = probe.width !== target.width || probe.height !== target.height;
    if (resized) {
      image = image.resize(target.width, target.height, {
        fit: FIT[target.mode],
        kernel: 'linear',
        background: { r: 0, g: 0, b: 0, alpha: 1 },
      });
    }
    image = target.channels === 1 ? image.removeAlpha().toColourspace('b-w') : image.removeAlpha().toColourspace('srgb');
    const { data, info } = await image.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.width !== target.width || info.height !== target.height || info.channels !== target.channels) {
      throw new ImageDecodeError(
        `decoded to ${info.width}x${info.height}x${info.channels}, expected ${target.width}x${target.height}x${target.channels}`,
      );
    }
    return { pixels: data, resized };
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    if (e instanceof BmpError) throw new ImageDecodeError(`unsupported or corrupt BMP: ${e.message}`);
    throw new ImageDecodeError(`cannot decode ${probe.format.toUpperCase()}: ${why(e)}`);
  }
}
