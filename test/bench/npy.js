// Minimal .npy (NumPy format 1.0) reading and writing for uint8 arrays: how the harness hands the same
// synthetic images to Layerbench's worker and to the Python peers.
import { readFileSync, writeFileSync } from 'node:fs';

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);

/** Writes a C-order uint8 array of `shape`. */
export function writeNpyUint8(file, data, shape) {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '|u1', 'fortran_order': False, 'shape': (${dims}), }`;
  // The header (with magic, length and newline) pads to a multiple of 64 bytes.
  const unpadded = MAGIC.length + 2 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const len = Buffer.alloc(2);
  len.writeUInt16LE(header.length);
  writeFileSync(
    file,
    Buffer.concat([MAGIC, len, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]),
  );
}

/** Reads a uint8 .npy file written by writeNpyUint8 (or NumPy). */
export function readNpyUint8(file) {
  const buf = readFileSync(file);
  if (!buf.subarray(0, 6).equals(MAGIC.subarray(0, 6))) throw new Error(`${file}: not a .npy file`);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.toString('latin1', 10, 10 + headerLen);
  if (!/'descr':\s*'\|u1'/.test(header) || /'fortran_order':\s*True/.test(header)) {
    throw new Error(`${file}: expected a C-order uint8 array, found header ${header.trim()}`);
  }
  const shape = /'shape':\s*\(([^)]*)\)/
    .exec(header)[1]
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const start = 10 + headerLen;
  return { data: new Uint8Array(buf.buffer, buf.byteOffset + start, buf.length - start), shape };
}
