/**
 * The browser-mode server survives what a broken or hostile client sends after a valid handshake (with the
 * token): malformed frames written as raw bytes over TCP close that socket only, with RFC 6455's close code;
 * requests nesting thousands of levels deep, and spec files that do, are answered with an error naming them;
 * the server answers the next client every time. The same corpus drives `npm run fuzz:server`.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UPLOAD_LIMITS, WS_MAX_MESSAGE_BYTES } from '../../../common/contract.js';
import { startHttpServer } from '../../../main/server/http-server.js';
import { serve, type Serving } from '../../../main/server/serve.js';
import { answers, badHandshakes, corpus, frame, play, rawRequest, replyText } from '../../fuzz/ws-corpus.mjs';
import { writeFixtureProcess } from './fixture-process.js';

let serving: Serving;
const token = 'fuzz-token-0123456789abcdef';

// In `layerbench serve` an error nothing handles ends the process; here it would only be reported at the end of
// the run, so each case collects them and fails on its own.
const escaped: unknown[] = [];
const collect = (e: unknown) => escaped.push(e);

beforeAll(async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'lb-fuzz-'));
  const rendererDir = path.join(root, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Layerbench</title>');
  process.on('uncaughtException', collect);
  process.on('unhandledRejection', collect);
  serving = await serve({ port: 0, dataDir: path.join(root, 'data'), rendererDir, token, trainingEntry: writeFixtureProcess() });
});

afterAll(async () => {
  await serving?.close();
  process.off('uncaughtException', collect);
  process.off('unhandledRejection', collect);
});

describe('browser-mode server under malformed frames and hostile payloads', () => {
  for (const c of corpus(WS_MAX_MESSAGE_BYTES)) {
    it(c.name, async () => {
      escaped.length = 0;
      const outcome = await play(serving.server.port, token, c.bytes);
      expect(outcome).toMatchObject(c.expected);
      if (c.says) expect(replyText(outcome.reply)).toContain(c.says);
      expect(await answers(serving.server.port, token)).toBe(true);
      expect(escaped).toEqual([]);
    });
  }

  it('refuses malformed upgrade requests with a status and shrugs off a reset', async () => {
    for (const h of badHandshakes(serving.server.port, token)) {
      escaped.length = 0;
      const status = await rawRequest(serving.server.port, h.request, h.reset);
      if (h.status) expect(status, h.name).toMatch(new RegExp(`^${h.status}`));
      expect(await answers(serving.server.port, token), h.name).toBe(true);
      expect(escaped, h.name).toEqual([]);
    }
  });

  it('caps a message at what the largest upload needs as base64, with at most 1 MB for the JSON around it', () => {
    // model-channels.test.ts checks the uploads fit; a larger cap only lets a client make the server buffer more.
    const largestUpload = Math.max(UPLOAD_LIMITS.modelBytes, UPLOAD_LIMITS.imagesTotalBytes);
    expect(WS_MAX_MESSAGE_BYTES - Math.ceil(largestUpload / 3) * 4).toBeLessThanOrEqual(1024 * 1024);
  });
});

describe('answers that cannot be serialized', () => {
  it('become an INTERNAL error for that request, and the socket keeps working', async () => {
    const handle = async (channel: unknown) =>
      channel === 'runs:list' ? { ok: true as const, value: { runs: [] } } : { ok: true as const, value: { size: 1n } };
    const server = await startHttpServer({ port: 0, rendererDir: os.tmpdir(), token, handle });
    try {
      escaped.length = 0;
      const outcome = await play(server.port, token, frame({ payload: Buffer.from('{"id":7,"channel":"runs:get","payload":{}}') }));
      expect(outcome.reply).toMatchObject({ id: 7, result: { ok: false, error: { code: 'INTERNAL' } } });
      expect(replyText(outcome.reply)).toContain('runs:get: Do not know how to serialize a BigInt');
      expect(await answers(server.port, token)).toBe(true);
      expect(escaped).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
