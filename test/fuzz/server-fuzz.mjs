#!/usr/bin/env node
// `npm run fuzz:server [-- --seconds N] [-- --seed N] [-- --url URL]`: replays the malformed-frame and payload
// corpus (ws-corpus.mjs) against `layerbench serve`, then mutated frames (seeded) until the time is up, and
// fails if the server dies or stops answering. Without --url it starts its own server on a free loopback port
// with a temporary data folder (needs `npm run build`); with --url it targets the one whose printed URL is given.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { answers, badHandshakes, corpus, frame, handshake, play, rawRequest, replyText } from './ws-corpus.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { seconds: { type: 'string' }, seed: { type: 'string' }, url: { type: 'string' } } });
const seconds = Number(values.seconds ?? 30);
const seed = Number(values.seed ?? Date.now() % 1_000_000);
if (!(seconds > 0 && seconds <= 3600) || !Number.isInteger(seed)) exit(2, '--seconds must be 1..3600 and --seed a whole number');

function exit(code, message) {
  process.stderr.write(`fuzz:server: ${message}\n`);
  process.exit(code);
}

/** mulberry32: the same seed replays the same mutations. */
function random(seedValue) {
  let a = seedValue >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const contractFile = path.join(repo, 'dist/common/contract.js');
if (!existsSync(contractFile)) exit(2, 'Layerbench is not built: run `npm run build` first');
const { WS_MAX_MESSAGE_BYTES } = await import(contractFile);

/** The server to fuzz: the one at --url (loopback only), or one started here. */
async function target() {
  if (values.url !== undefined) {
    let url;
    try {
      url = new URL(values.url);
    } catch {
      exit(2, `--url "${values.url}" is not a URL: give the one \`layerbench serve\` printed`);
    }
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))
      exit(2, `${url.hostname} is not this machine: fuzz only a local server`);
    const token = url.searchParams.get('token');
    if (!token) exit(2, '--url must be the URL `layerbench serve` printed, with its ?token=');
    return { port: Number(url.port), token, child: null, stop: () => {} };
  }
  const token = randomBytes(24).toString('hex');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lb-fuzz-'));
  const child = spawn(process.execPath, [path.join(repo, 'main/cli/layerbench.mjs'), 'serve', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, LAYERBENCH_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const notStarted = (code) => exit(2, `layerbench serve did not start (exit code ${code}):\n${output}`);
  child.once('exit', notStarted);
  const port = await new Promise((resolve) => {
    const onData = () => {
      const found = /127\.0\.0\.1:(\d+)\//.exec(output);
      if (found) resolve(Number(found[1]));
    };
    child.stdout.on('data', onData);
  });
  child.off('exit', notStarted);
  const stop = () => {
    child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { port, token, child, stop, output: () => output };
}

/** Writes bytes on a fresh socket, waits a moment for the server to react, and hangs up. */
async function poke(port, token, bytes) {
  const { socket } = await handshake(port, token);
  socket.on('error', () => {});
  socket.on('data', () => {});
  socket.write(bytes);
  await new Promise((resolve) => setTimeout(resolve, 20));
  socket.destroy();
}

function mutate(bytes, next) {
  const copy = Buffer.from(bytes);
  switch (Math.floor(next() * 4)) {
    case 0: {
      // Flip a bit in the header: opcode, RSV, mask, length.
      const at = Math.floor(next() * Math.min(copy.length, 14));
      copy[at] ^= 1 << Math.floor(next() * 8);
      return copy;
    }
    case 1:
      return copy.subarray(0, Math.floor(next() * copy.length));
    case 2:
      return Buffer.concat([copy, randomBytesFrom(next, 1 + Math.floor(next() * 64))]);
    default:
      return frame({
        opcode: Math.floor(next() * 16),
        rsv: Math.floor(next() * 8),
        payload: randomBytesFrom(next, Math.floor(next() * 200)),
      });
  }
}

function randomBytesFrom(next, n) {
  return Buffer.from(Array.from({ length: n }, () => Math.floor(next() * 256)));
}

const server = await target();
const deadline = Date.now() + seconds * 1000;
// A hung server is a failure too: never run far past the deadline.
setTimeout(() => fail('the server stopped answering (the run went 60 s past its time)'), seconds * 1000 + 60_000).unref();

function alive() {
  return server.child === null || (server.child.exitCode === null && server.child.signalCode === null);
}

function fail(message) {
  server.stop();
  const tail = server.output ? `\n--- server output ---\n${server.output().slice(-4000)}` : '';
  exit(1, `FAILED (seed ${seed}): ${message}${tail}`);
}

const cases = corpus(WS_MAX_MESSAGE_BYTES);
const mismatches = [];
for (const c of cases) {
  const outcome = await play(server.port, server.token, c.bytes, 10_000).catch((e) => ({ error: e.message }));
  if (!alive()) fail(`the server died on "${c.name}"`);
  const got = outcome.close ?? (outcome.reply ? `reply ${replyText(outcome.reply) || JSON.stringify(outcome.reply.result)}` : 'nothing');
  const wanted = c.expected.close ?? 'a reply';
  const ok =
    'close' in c.expected ? outcome.close === c.expected.close : outcome.reply && (!c.says || replyText(outcome.reply).includes(c.says));
  if (!ok) mismatches.push(`${c.name}: expected ${wanted}${c.says ? ` saying "${c.says}"` : ''}, got ${got}`);
  if (!(await answers(server.port, server.token))) fail(`the server ${alive() ? 'stopped answering' : 'died'} after "${c.name}"`);
}

const upgrades = badHandshakes(server.port, server.token);
for (const h of upgrades) {
  const status = await rawRequest(server.port, h.request, h.reset);
  if (!alive()) fail(`the server died on "${h.name}"`);
  if (h.status && !status.startsWith(h.status)) mismatches.push(`${h.name}: expected ${h.status}…, got ${status || 'nothing'}`);
  if (!(await answers(server.port, server.token))) fail(`the server ${alive() ? 'stopped answering' : 'died'} after "${h.name}"`);
}

const next = random(seed);
let mutants = 0;
while (Date.now() < deadline) {
  const base = cases[Math.floor(next() * cases.length)];
  await poke(server.port, server.token, mutate(base.bytes, next)).catch(() => {});
  mutants++;
  if (!alive()) fail(`the server died on mutant ${mutants} of "${base.name}"`);
  if (mutants % 25 === 0 && !(await answers(server.port, server.token)))
    fail(`the server ${alive() ? 'stopped answering' : 'died'} after mutant ${mutants}`);
}
if (!(await answers(server.port, server.token))) fail('the server stopped answering at the end');
server.stop();
if (mismatches.length)
  exit(1, `the server survived but answered ${mismatches.length} case(s) wrongly (seed ${seed}):\n  ${mismatches.join('\n  ')}`);
process.stdout.write(
  `fuzz:server: ${cases.length} corpus cases, ${upgrades.length} upgrade requests and ${mutants} mutants (seed ${seed}); the server answered throughout\n`,
);
