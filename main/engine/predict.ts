/**
 * Predicting the class of image files with a saved model: each file is decoded with sharp, resized to the
 * model's input (stretched, as the importers do) and converted to its channel count, then classified.
 */
import sharp from 'sharp';
import type { LayersModel, TF, Tensor } from './tf-types.js';

export interface ClassProbability {
  index: number;
  label: string;
  probability: number;
}

export interface Prediction {
  file: string;
  top: ClassProbability[];
}

export class ImageDecodeError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'ImageDecodeError';
  }
}

/** Decodes an image file (PNG, JPEG, WebP, GIF, TIFF ...) into HWC uint8 pixels of `shape`. */
export async function decodeImageFile(file: string, shape: [number, number, number]): Promise<Uint8Array> {
  const [height, width, channels] = shape;
  try {
    // Transparent pixels become black, as the padding of a shifted training image is.
    let image = sharp(file)
      .flatten({ background: { r: 0, g: 0, b: 0 } })
      .resize(width, height, { fit: 'fill' });
    image = channels === 1 ? image.toColourspace('b-w') : image.toColourspace('srgb');
    if (channels === 4) image = image.ensureAlpha();
    const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== channels) throw new Error(`decoded to ${info.channels} channels, the model needs ${channels}`);
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } catch (e) {
    const message = (e as Error).message;
    const why = /Input file is missing|ENOENT/.test(message) ? 'no such file' : message.replace(/^Input (file|buffer) /, '');
    throw new ImageDecodeError(`cannot read image ${file}: ${why}`, file);
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
): Promise<Prediction[]> {
  // One after another: libvips keeps one error buffer per process, so parallel decodes can mix up errors.
  const decoded: Uint8Array[] = [];
  for (const file of files) decoded.push(await decodeImageFile(file, shape));
  const tops = await predictPixels(tf, model, decoded, shape, classNames, top);
  return files.map((file, i) => ({ file, top: tops[i] }));
}
