/**
 * Predicting the class of image files with a saved model: each file is decoded exactly as the training
 * images were (data/image-decode.ts: the same formats, BMP included, the same bilinear resize in the run's
 * resize mode, the same colour conversion), then classified.
 */
import { readFile } from 'node:fs/promises';
import { decodeImage, ImageDecodeError, probeImage, type ResizeMode } from '../data/image-decode.js';
import type { LayersModel, TF, Tensor } from './tf-types.js';

export interface ClassProbability {
  index: number;
  label: string;
  probability: number;
}

export interface ImagePrediction {
  file: string;
  top: ClassProbability[];
}

export class UnreadableImageError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'UnreadableImageError';
  }
}

/**
 * Decodes an image file (JPEG, PNG, WebP, GIF's first frame, BMP) into HWC uint8 pixels of `shape`, brought
 * to that size by `resize` as the run's dataset was ('stretch' for bundled data and older runs).
 */
export async function decodeImageFile(file: string, shape: [number, number, number], resize: ResizeMode = 'stretch'): Promise<Uint8Array> {
  const [height, width, channels] = shape;
  const fail = (why: string) => new UnreadableImageError(`cannot read image ${file}: ${why}`, file);
  if (channels !== 1 && channels !== 3) throw fail(`the model takes ${channels} channels; images decode to 1 (grayscale) or 3 (RGB)`);
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw fail(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder, not a file' : (e as Error).message);
  }
  try {
    const probe = await probeImage(buf);
    const { pixels } = await decodeImage(buf, probe, { width, height, channels, mode: resize });
    return new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  } catch (e) {
    if (e instanceof ImageDecodeError) throw fail(e.message);
    throw e;
  }
}

/** Classifies already-decoded images and returns the `top` classes of each with their probabilities. */
export async function predictPixels(
  tf: TF,
  model: LayersModel,
  images: Uint8Array[],
  shape: [number, number, number],
  classNames: string[],
  top = 3,
): Promise<ClassProbability[][]> {
  const size = shape[0] * shape[1] * shape[2];
  const pixels = new Uint8Array(images.length * size);
  images.forEach((img, i) => pixels.set(img, i * size));
  // Eager: a graph's first run (TensorFlow optimizing it) costs more than a few images take (graph/forward.ts).
  const probsTensor = tf.tidy(
    () =>
      model.predict(
        tf
          .tensor4d(pixels, [images.length, ...shape], 'int32')
          .toFloat()
          .div(255),
      ) as Tensor,
  );
  const probs = (await probsTensor.data()) as Float32Array;
  probsTensor.dispose();
  const k = classNames.length;
  return images.map((_, i) => {
    const row = Array.from(probs.subarray(i * k, (i + 1) * k), (probability, index) => ({ index, label: classNames[index], probability }));
    return row.sort((a, b) => b.probability - a.probability).slice(0, Math.max(1, Math.min(top, k)));
  });
}

export async function predictFiles(
  tf: TF,
  model: LayersModel,
  files: string[],
  shape: [number, number, number],
  classNames: string[],
  top = 3,
  resize: ResizeMode = 'stretch',
): Promise<ImagePrediction[]> {
  // One after another: libvips keeps one error buffer per process, so parallel decodes can mix up errors.
  const decoded: Uint8Array[] = [];
  for (const file of files) decoded.push(await decodeImageFile(file, shape, resize));
  const tops = await predictPixels(tf, model, decoded, shape, classNames, top);
  return files.map((file, i) => ({ file, top: tops[i] }));
}
