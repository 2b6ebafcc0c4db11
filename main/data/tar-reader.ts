/**
 * A small streaming reader for `.tar.gz` (and plain `.tar`) archives: enough of ustar, GNU long names and
 * pax path records to find dataset files by name. Only the entries asked for are kept in memory, so a
 * 170 MB archive is never held whole, and nothing is ever written to disk.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { DatasetError } from './dataset.js';

export interface TarContents {
  /** Every regular file's path in the archive, in archive order (for error messages). */
  names: string[];
  /** The contents of the files `want` accepted, by archive path. */
  files: Map<string, Buffer>;
}

const BLOCK = 512;
/** Long-name and pax records are tiny; a bigger one means the archive is not what it claims. */
const MAX_META_ENTRY = 1 << 20;

function octal(field: Buffer): number {
  // GNU base-256 for sizes past 8 GiB: high bit set, big-endian binary in the remaining bytes.
  if (field[0] & 0x80) {
    let n = field[0] & 0x7f;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i];
    return n;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function cString(field: Buffer): string {
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString('utf8');
}

function checksumOk(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  return sum === octal(header.subarray(148, 156));
}

function paxPath(record: Buffer): string | undefined {
  // Records are "<length> <key>=<value>\n".
  for (const line of record.toString('utf8').split('\n')) {
    const m = /^\d+ path=(.*)$/.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

interface Body {
  name: string;
  type: string;
  size: number;
  remaining: number;
  target: Buffer | null;
}

class TarParser {
  readonly names: string[] = [];
  readonly files = new Map<string, Buffer>();
  private rest: Buffer = Buffer.alloc(0);
  private body: Body | null = null;
  private skip = 0;
  private zeroBlocks = 0;
  private headers = 0;
  private ended = false;
  private longName: string | undefined;

  constructor(
    private readonly archive: string,
    private readonly want: (name: string) => boolean,
    private readonly maxFileBytes: number,
  ) {}

  push(chunk: Buffer): void {
    const data = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    let pos = 0;
    while (pos < data.length && !this.ended) {
      if (this.body) {
        const take = Math.min(this.body.remaining, data.length - pos);
        if (this.body.target) data.copy(this.body.target, this.body.size - this.body.remaining, pos, pos + take);
        this.body.remaining -= take;
        pos += take;
        if (this.body.remaining === 0) this.finishBody();
      } else if (this.skip > 0) {
        const take = Math.min(this.skip, data.length - pos);
        this.skip -= take;
        pos += take;
      } else if (data.length - pos >= BLOCK) {
        this.header(data.subarray(pos, pos + BLOCK));
        pos += BLOCK;
      } else {
        break;
      }
    }
    // Only a partial header (< 512 bytes) is ever carried over; copy it so the chunk can be freed.
    this.rest = this.ended ? Buffer.alloc(0) : Buffer.from(data.subarray(pos));
  }

  end(): void {
    if (this.headers === 0) throw new DatasetError(`${this.archive}: the archive is empty or is not a tar archive`, this.archive);
    if (this.body || this.skip > 0 || this.rest.length > 0) {
      const name = this.body ? ` inside ${this.body.name}` : '';
      throw new DatasetError(`${this.archive}: the archive is truncated (it ends${name} before the end of the data)`, this.archive);
    }
  }

  private header(block: Buffer): void {
    if (block.every((b) => b === 0)) {
      if (++this.zeroBlocks === 2) this.ended = true;
      return;
    }
    this.zeroBlocks = 0;
    if (!checksumOk(block)) {
      const where = this.headers === 0 ? 'is not a tar archive' : `is corrupt after ${this.names.at(-1) ?? 'its first entry'}`;
      throw new DatasetError(`${this.archive}: the archive ${where} (bad tar header checksum)`, this.archive);
    }
    this.headers++;
    const type = String.fromCharCode(block[156] || 0x30);
    const size = octal(block.subarray(124, 136));
    const prefix = block.subarray(257, 262).toString('latin1') === 'ustar' ? cString(block.subarray(345, 500)) : '';
    let name = cString(block.subarray(0, 100));
    if (prefix) name = `${prefix}/${name}`;
    if (this.longName !== undefined && type !== 'L' && type !== 'x') {
      name = this.longName;
      this.longName = undefined;
    }
    const meta = type === 'L' || type === 'x';
    if (meta && size > MAX_META_ENTRY)
      throw new DatasetError(`${this.archive}: a tar metadata entry of ${size} bytes is not plausible`, this.archive);
    const regular = type === '0' || type === '7';
    if (regular) this.names.push(name);
    const keep = meta || (regular && this.want(name));
    if (keep && !meta && size > this.maxFileBytes) {
      throw new DatasetError(
        `${this.archive}: ${name} declares ${size} bytes, more than the ${this.maxFileBytes} such a file may hold; the archive is damaged or not what it claims`,
        this.archive,
      );
    }
    this.body = { name, type, size, remaining: size, target: keep ? Buffer.allocUnsafe(size) : null };
    if (size === 0) this.finishBody();
  }

  private finishBody(): void {
    const body = this.body!;
    this.body = null;
    this.skip = (BLOCK - (body.size % BLOCK)) % BLOCK;
    if (!body.target) return;
    if (body.type === 'L') this.longName = cString(body.target);
    else if (body.type === 'x') this.longName = paxPath(body.target) ?? this.longName;
    else this.files.set(body.name, body.target);
  }
}

async function isGzip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** Reads `archive` (gzip-compressed or not), keeping the regular files whose path `want` accepts. */
export interface ReadTarOptions {
  /** A kept file declaring more bytes is an error before any is read (a crafted size would be allocated). */
  maxFileBytes?: number;
  signal?: AbortSignal;
}

export async function readTar(archive: string, want: (name: string) => boolean, options: ReadTarOptions = {}): Promise<TarContents> {
  const { signal } = options;
  const parser = new TarParser(archive, want, options.maxFileBytes ?? Infinity);
  let gzip: boolean;
  try {
    gzip = await isGzip(archive);
  } catch (e) {
    throw new DatasetError(`${archive}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, archive);
  }
  // The parser's own error is kept aside: the pipeline may reject with its abort error once the sink throws.
  let parseError: DatasetError | undefined;
  const sink = async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) {
      try {
        parser.push(chunk);
      } catch (e) {
        if (e instanceof DatasetError) parseError = e;
        throw e;
      }
    }
  };
  try {
    if (gzip) await pipeline(createReadStream(archive), createGunzip(), sink, { signal });
    else await pipeline(createReadStream(archive), sink, { signal });
  } catch (e) {
    if (parseError) throw parseError;
    if (e instanceof DatasetError) throw e;
    signal?.throwIfAborted();
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'Z_BUF_ERROR' || /unexpected end/i.test(err.message)) {
      throw new DatasetError(`${archive}: the gzip archive is truncated (it ends before its data does)`, archive);
    }
    if (err.code?.startsWith('Z_')) throw new DatasetError(`${archive}: the gzip data is corrupt (${err.message})`, archive);
    throw new DatasetError(`${archive}: cannot be read (${err.code ?? err.message})`, archive);
  }
  parser.end();
  return { names: parser.names, files: parser.files };
}
