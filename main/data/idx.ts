/**
 * MNIST-style IDX files (`train-images-idx3-ubyte[.gz]`, `train-labels-idx1-ubyte[.gz]`): a big-endian
 * header (magic 0x0000080N, N dimensions) followed by unsigned bytes.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { DatasetError } from './dataset.js';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

export function parseIdx(raw: Uint8Array, file: string): IdxArray {
  let buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch (e) {
      throw new DatasetError(`${file}: the gzip data is corrupt or truncated (${(e as Error).message})`, file);
    }
  }
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) {
    throw new DatasetError(`${file}: not an IDX file (it does not start with the IDX magic number)`, file);
  }
  if (buf[2] !== 0x08) {
    throw new DatasetError(`${file}: IDX element type 0x${buf[2].toString(16)} is not supported (only unsigned bytes, 0x08)`, file);
  }
  const rank = buf[3];
  if (rank < 1 || rank > 4 || buf.length < 4 + 4 * rank) {
    throw new DatasetError(`${file}: IDX header is truncated or has ${rank} dimensions`, file);
  }
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  const expected = dims.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * rank;
  const have = buf.length - start;
  if (have !== expected) {
    const per = expected / Math.max(dims[0], 1);
    const complete = Math.floor(have / Math.max(per, 1));
    throw new DatasetError(
      `${file}: the header promises ${dims.join('x')} = ${expected} bytes of data but the file holds ${have}` +
        (have < expected ? ` (truncated at record ${complete})` : ' (extra bytes at the end)'),
      file,
      have < expected ? complete : undefined,
    );
  }
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + start, expected) };
}

export async function readIdx(file: string): Promise<IdxArray> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (e) {
    throw new DatasetError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, file);
  }
  return parseIdx(raw, file);
}
