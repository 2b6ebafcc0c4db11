// Malformed WebSocket frames and hostile payloads for `layerbench serve`, written as raw bytes over a TCP
// socket after a valid handshake (with the token), and what the server must answer to each. Shared by the unit
// test (test/unit/shell/server-fuzz.test.ts) and `npm run fuzz:server` (server-fuzz.mjs). Loopback only.
import { randomBytes } from 'node:crypto';
import net from 'node:net';

/** One WebSocket frame as bytes. `declaredLength` lets the header claim more than the payload holds. */
export function frame({ fin = true, rsv = 0, opcode = 0x1, masked = true, payload = Buffer.alloc(0), declaredLength } = {}) {
  const length = declaredLength ?? payload.length;
  const head = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
  const maskBit = masked ? 0x80 : 0;
  let extended = Buffer.alloc(0);
  if (length < 126) head.push(maskBit | length);
  else if (length < 65536) {
    head.push(maskBit | 126);
    extended = Buffer.alloc(2);
    extended.writeUInt16BE(length);
  } else {
    head.push(maskBit | 127);
    extended = Buffer.alloc(8);
    extended.writeBigUInt64BE(BigInt(length));
  }
  if (!masked) return Buffer.concat([Buffer.from(head), extended, payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
  return Buffer.concat([Buffer.from(head), extended, mask, body]);
}

const text = (value) => frame({ payload: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)) });
const closeFrame = (payload) => frame({ opcode: 0x8, payload });

/** `[[[...]]]` nested `depth` arrays deep, built as text so building it cannot overflow either. */
export const nestedArrays = (depth) => '['.repeat(depth) + ']'.repeat(depth);
const nestedObjects = (depth) => '{"a":'.repeat(depth) + '0' + '}'.repeat(depth);

/** A valid spec of about 12 KB whose one unknown field holds 6,000 nested arrays. */
function deepSpecText() {
  const layers = [{ type: 'Flatten' }, { type: 'Dense', units: 10, activation: 'softmax' }];
  const spec = JSON.stringify({ model: { inputShape: [28, 28, 1], layers }, training: { epochs: 1 } });
  return spec.slice(0, -1) + `,"notes":${nestedArrays(6000)}}`;
}

/** A small valid experiment with `notes` (an unknown field) holding `deep`, as JSON text. */
const experimentWith = (deep) =>
  `{"model":{"inputShape":[28,28,1],"layers":[{"type":"Flatten"},{"type":"Dense","units":10,"activation":"softmax"}]},"notes":${deep}}`;

/** The limit the server sets on a message (common/contract.ts WS_MAX_MESSAGE_BYTES), passed in by the caller. */
export function corpus(maxMessageBytes) {
  const invalidUtf8 = Buffer.from([0xff, 0xfe, 0xfd, 0xfc, 0x80, 0x81, 0xc0, 0xc1]);
  const ping = (opts) => frame({ opcode: 0x9, ...opts });
  return [
    // Malformed frames: the server closes that socket with the code RFC 6455 gives, and nothing else.
    { name: 'text frame of 8 bytes that are not UTF-8', bytes: frame({ payload: invalidUtf8 }), expected: { close: 1007 } },
    { name: 'reserved data opcode 0x3', bytes: frame({ opcode: 0x3, payload: Buffer.from('x') }), expected: { close: 1002 } },
    { name: 'reserved control opcode 0xB', bytes: frame({ opcode: 0xb }), expected: { close: 1002 } },
    { name: 'RSV1 bit set without an extension', bytes: frame({ rsv: 0b100, payload: Buffer.from('{}') }), expected: { close: 1002 } },
    { name: 'RSV2 bit set', bytes: frame({ rsv: 0b010, payload: Buffer.from('{}') }), expected: { close: 1002 } },
    { name: 'RSV3 bit set', bytes: frame({ rsv: 0b001, payload: Buffer.from('{}') }), expected: { close: 1002 } },
    { name: 'unmasked client frame', bytes: frame({ masked: false, payload: Buffer.from('{}') }), expected: { close: 1002 } },
    {
      name: 'header declaring one byte more than the limit',
      bytes: frame({ declaredLength: maxMessageBytes + 1 }),
      expected: { close: 1009 },
    },
    { name: 'header declaring 2^62 bytes', bytes: frame({ declaredLength: 2 ** 62 }), expected: { close: 1009 } },
    { name: 'fragmented ping', bytes: ping({ fin: false }), expected: { close: 1002 } },
    { name: 'ping of 126 bytes', bytes: ping({ payload: Buffer.alloc(126) }), expected: { close: 1002 } },
    { name: 'continuation without a first fragment', bytes: frame({ opcode: 0x0, payload: Buffer.from('x') }), expected: { close: 1002 } },
    {
      name: 'new message inside a fragmented one',
      bytes: Buffer.concat([frame({ fin: false, payload: Buffer.from('{') }), frame({ payload: Buffer.from('}') })]),
      expected: { close: 1002 },
    },
    { name: 'close frame with a 1-byte payload', bytes: closeFrame(Buffer.from([0x03])), expected: { close: 1002 } },
    { name: 'close frame with code 999', bytes: closeFrame(Buffer.from([0x03, 0xe7])), expected: { close: 1002 } },
    { name: 'binary message', bytes: frame({ opcode: 0x2, payload: Buffer.from('{"id":1}') }), expected: { close: 4400 } },
    { name: 'text that is not JSON', bytes: text('not json'), expected: { close: 4400 } },
    { name: 'JSON without an id', bytes: text('{"channel":"runs:list"}'), expected: { close: 4400 } },
    // Hostile payloads in well-formed frames: answered with an error naming the problem; the socket stays open.
    {
      name: 'training:start whose experiment holds 6,000 nested arrays',
      bytes: text(`{"id":1,"channel":"training:start","payload":{"datasetId":"mnist","experiment":${experimentWith(nestedArrays(6000))}}}`),
      expected: { reply: { id: 1, result: { ok: false, error: { code: 'INVALID_REQUEST' } } } },
      says: 'nests too deeply',
    },
    {
      name: 'spec:save of an experiment nesting 100,000 objects',
      bytes: text(`{"id":2,"channel":"spec:save","payload":{"experiment":${experimentWith(nestedObjects(100000))}}}`),
      expected: { reply: { id: 2, result: { ok: false, error: { code: 'INVALID_REQUEST' } } } },
      says: 'nests too deeply',
    },
    {
      name: 'unknown channel nesting 6,000 arrays',
      bytes: text(`{"id":3,"channel":${nestedArrays(6000)},"payload":{}}`),
      expected: { reply: { id: 3, result: { ok: false, error: { code: 'INVALID_REQUEST' } } } },
      says: 'nests too deeply',
    },
    {
      name: 'spec:open of a 12 KB spec whose unknown field holds 6,000 nested arrays',
      bytes: text({ id: 4, channel: 'spec:open', payload: { fileName: 'deep-spec.json', content: deepSpecText() } }),
      expected: { reply: { id: 4, result: { ok: true, value: { fileName: 'deep-spec.json' } } } },
      says: 'deep-spec.json nests too deeply',
    },
  ];
}

/** Upgrade requests the server must refuse with a 4xx status (or a reset it must shrug off), not throw on. */
export function badHandshakes(port, token) {
  const request = (target, headers = {}) =>
    [
      `GET ${target} HTTP/1.1`,
      ...Object.entries({
        Host: `127.0.0.1:${port}`,
        Origin: `http://127.0.0.1:${port}`,
        Upgrade: 'websocket',
        Connection: 'Upgrade',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version': '13',
        ...headers,
      })
        .filter(([, v]) => v !== null)
        .map(([k, v]) => `${k}: ${v}`),
      '',
      '',
    ].join('\r\n');
  const ws = `/ws?token=${encodeURIComponent(token)}`;
  return [
    { name: 'request target that is not a URL', request: request(`//[${ws}`), status: 'HTTP/1.1 403' },
    { name: 'WebSocket version 99', request: request(ws, { 'Sec-WebSocket-Version': '99' }), status: 'HTTP/1.1 4' },
    { name: 'no Sec-WebSocket-Key', request: request(ws, { 'Sec-WebSocket-Key': null }), status: 'HTTP/1.1 400' },
    { name: 'connection reset right after the upgrade request', request: request(ws), reset: true },
  ];
}

/** Sends a raw HTTP request; resolves with the response's status line ('' when the connection just closed, and
 * '(no answer)' after `timeoutMs`). */
export function rawRequest(port, text, reset = false, timeoutMs = 10_000) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('(no answer)');
    }, timeoutMs);
    socket.on('close', () => clearTimeout(timer));
    socket.on('error', () => resolve(received.split('\r\n')[0]));
    socket.on('data', (d) => {
      received += d;
      if (received.includes('\r\n')) {
        socket.destroy();
        resolve(received.split('\r\n')[0]);
      }
    });
    socket.on('close', () => resolve(received.split('\r\n')[0]));
    socket.write(text, () => {
      if (reset) socket.resetAndDestroy();
    });
  });
}

/** Opens a WebSocket by hand: resolves with the socket and any bytes after the 101 response. */
export function handshake(port, token) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let buffered = Buffer.alloc(0);
    const onData = (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const status = buffered.subarray(0, end).toString().split('\r\n')[0];
      if (!status.includes(' 101 ')) {
        socket.destroy();
        reject(new Error(`handshake refused: ${status}`));
        return;
      }
      resolve({ socket, rest: buffered.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(
      [
        `GET /ws?token=${encodeURIComponent(token)} HTTP/1.1`,
        `Host: 127.0.0.1:${port}`,
        `Origin: http://127.0.0.1:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        '',
        '',
      ].join('\r\n'),
    );
  });
}

/** Server frames from `bytes` (server frames are never masked); returns those complete and the leftover bytes. */
function parseFrames(bytes) {
  const frames = [];
  let at = 0;
  while (bytes.length - at >= 2) {
    const opcode = bytes[at] & 0x0f;
    let length = bytes[at + 1] & 0x7f;
    let start = at + 2;
    if (length === 126) {
      if (bytes.length < start + 2) break;
      length = bytes.readUInt16BE(start);
      start += 2;
    } else if (length === 127) {
      if (bytes.length < start + 8) break;
      length = Number(bytes.readBigUInt64BE(start));
      start += 8;
    }
    if (bytes.length < start + length) break;
    frames.push({ opcode, payload: bytes.subarray(start, start + length) });
    at = start + length;
  }
  return { frames, rest: bytes.subarray(at) };
}

/**
 * Sends one case's bytes on a fresh socket and reports what came back: the close code the server sent, or the
 * first reply it answered with. Gives up after `timeoutMs` (then neither is set).
 */
export async function play(port, token, bytes, timeoutMs = 20_000) {
  const { socket, rest } = await handshake(port, token);
  return new Promise((resolve) => {
    let pending = rest;
    const outcome = { close: null, reply: null };
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(done, timeoutMs);
    const onData = (chunk) => {
      const parsed = parseFrames(Buffer.concat([pending, chunk]));
      pending = parsed.rest;
      for (const f of parsed.frames) {
        if (f.opcode === 0x8) {
          outcome.close = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
          return done();
        }
        if (f.opcode === 0x1) {
          outcome.reply = JSON.parse(f.payload.toString());
          return done();
        }
      }
    };
    socket.on('data', onData);
    socket.on('error', () => {});
    socket.on('close', done);
    socket.write(bytes);
    if (rest.length) onData(Buffer.alloc(0));
  });
}

/** The error message or spec issues of a reply, as one text to look for a phrase in. */
export function replyText(reply) {
  const result = reply?.result;
  if (!result) return '';
  if (!result.ok) return result.error?.message ?? '';
  return (result.value?.issues ?? []).map((i) => i.message).join('\n');
}

/** Whether a running server still answers: a fresh socket's runs:list request gets its reply. */
export async function answers(port, token) {
  try {
    const outcome = await play(port, token, text({ id: 99, channel: 'runs:list', payload: {} }));
    return outcome.reply?.id === 99 && outcome.reply.result?.ok === true;
  } catch {
    return false;
  }
}
