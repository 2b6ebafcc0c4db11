/**
 * MNIST-style IDX files (`train-images-idx3-ubyte[.gz]`, `train-labels-idx1-ubyte[.gz]`): a big-endian
 * header (magic 0x0000080N, N dimensions) followed by unsigned bytes. A gzipped file is inflated as a
 * stream that stops as soon as it passes the size its header declares, so a small file that would inflate
 * to gigabytes fails after a few kilobytes past the declared data.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { DatasetError } from './dataset.js';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

interface IdxHeader {
  dims: number[];
  /** Where the data starts. */
  start: number;
  /** Data bytes the dimensions promise. */
  expected: number;
}

/** An IDX file's data is one Uint8Array: a header promising more cannot be a dataset Layerbench loads. */
const MAX_IDX_BYTES = 2 ** 32;

/** The header, or undefined while `buf` is too short to hold it; throws when it is not an IDX header. */
function readHeader(buf: Buffer, file: string): IdxHeader | undefined {
  if (buf.length < 4) return undefined;
  if (buf[0] !== 0 || buf[1] !== 0) {
    throw new DatasetError(`${file}: not an IDX file (it does not start with the IDX magic number)`, file);
  }
  if (buf[2] !== 0x08) {
    throw new DatasetError(`${file}: IDX element type 0x${buf[2].toString(16)} is not supported (only unsigned bytes, 0x08)`, file);
  }
  const rank = buf[3];
  if (rank < 1 || rank > 4) throw new DatasetError(`${file}: IDX header has ${rank} dimensions (1 to 4 are supported)`, file);
  const start = 4 + 4 * rank;
  if (buf.length < start) return undefined;
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  const expected = dims.reduce((a, b) => a * b, 1);
  if (expected > MAX_IDX_BYTES) {
    throw new DatasetError(
      `${file}: the IDX header declares ${dims.join('x')} = ${expected} bytes, more than the 4 GiB an IDX file may hold`,
      file,
    );
  }
  return { dims, start, expected };
}

function parseIdx(buf: Buffer, file: string): IdxArray {
  const header = readHeader(buf, file);
  if (!header) throw new DatasetError(`${file}: IDX header is truncated (${buf.length} bytes)`, file);
  const { dims, start, expected } = header;
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

/** Inflates `file`, refusing to hold more than its header's declared data (plus one chunk to notice). */
async function inflateBounded(file: string, signal?: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  let header: IdxHeader | undefined;
  // Kept aside: the pipeline may reject with its own abort error once the sink throws.
  let tooLarge: DatasetError | undefined;
  const sink = async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) {
      chunks.push(chunk);
      total += chunk.length;
      header ??= readHeader(chunks.length === 1 ? chunk : Buffer.concat(chunks), file);
      if (header && total > header.start + header.expected) {
        throw (tooLarge = new DatasetError(
          `${file}: the gzip data inflates to more than the ${header.expected} bytes of data its IDX header declares ` +
            `(${header.dims.join('x')}); stopped after ${total} bytes. The file is damaged or not an IDX file`,
          file,
        ));
      }
    }
  };
  try {
    await pipeline(createReadStream(file), createGunzip(), sink, { signal });
  } catch (e) {
    if (tooLarge) throw tooLarge;
    if (e instanceof DatasetError) throw e;
    signal?.throwIfAborted();
    const err = e as NodeJS.ErrnoException;
    throw new DatasetError(`${file}: the gzip data is corrupt or truncated (${err.message})`, file);
  }
  return Buffer.concat(chunks, total);
}

function unreadable(file: string, e: unknown): DatasetError {
  return new DatasetError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, file);
}

/** Reads an IDX file, gzipped or not; devices, pipes and sockets are refused before any read. */
export async function readIdx(file: string, signal?: AbortSignal): Promise<IdxArray> {
  let gzip: boolean;
  let raw: Buffer | undefined;
  try {
    const handle = await open(file, 'r');
    try {
      if (!(await handle.stat()).isFile()) {
        throw new DatasetError(`${file}: not a regular file (a device, pipe or socket); give an IDX file or its folder`, file);
      }
      const head = Buffer.alloc(2);
      const { bytesRead } = await handle.read(head, 0, 2, 0);
      gzip = bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
      if (!gzip) raw = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (e) {
    if (e instanceof DatasetError) throw e;
    throw unreadable(file, e);
  }
  return parseIdx(raw ?? (await inflateBounded(file, signal)), file);
}
