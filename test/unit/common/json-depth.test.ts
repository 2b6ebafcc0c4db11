import { describe, expect, it } from 'vitest';
import { wsCloseReason, WS_CLOSE } from '../../../common/contract.js';
import { MAX_JSON_DEPTH, describeJsonPath, tooDeepAt, tooDeepMessage } from '../../../common/json-depth.js';

const nested = (depth: number) => JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown;

describe('tooDeepAt', () => {
  it('accepts a spec and flat data up to the limit', () => {
    expect(tooDeepAt({ model: { layers: [{ type: 'Conv2D', kernelSize: [3, 3] }] } })).toBeNull();
    expect(tooDeepAt(nested(MAX_JSON_DEPTH))).toBeNull();
    expect(tooDeepAt(Array.from({ length: 100_000 }, (_, i) => i))).toBeNull();
    expect(tooDeepAt('[[[[')).toBeNull();
  });

  it('finds the path to a value one level past the limit, and to 100,000 levels without overflowing', () => {
    expect(tooDeepAt(nested(MAX_JSON_DEPTH + 1))).toHaveLength(MAX_JSON_DEPTH);
    const spec = { model: { layers: [] }, notes: { deep: nested(100_000) } };
    expect(tooDeepAt(spec)?.slice(0, 3)).toEqual(['notes', 'deep', 0]);
  });

  it('says where, shortly, in the message', () => {
    const at = tooDeepAt({ notes: nested(200) })!;
    expect(describeJsonPath(at)).toBe('notes[0][0][0]…');
    expect(tooDeepMessage('deep.json', at)).toBe(
      'deep.json nests too deeply: notes[0][0][0]… holds more than 64 levels of arrays and objects',
    );
  });
});

describe('wsCloseReason', () => {
  it('tells the page that a message was over the server limit, with the limit', () => {
    expect(wsCloseReason(WS_CLOSE.tooLarge)).toBe('the request was larger than the server accepts (214 MB): send fewer or smaller files');
    expect(wsCloseReason(1006)).toBe('the connection to Layerbench was lost');
  });
});
