/**
 * `layerbench serve` as users run it (the build, npm test builds first): a SIGTERM during a long job ends the
 * process instead of leaving it working with its port closed, and an error nothing handled is logged while the
 * server keeps serving.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

const CLI = path.resolve('main/cli/layerbench.mjs');

function execNode(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
const token = 'serve-test-token-0123456789abcdef';

/** Starts `layerbench serve --port 0`; resolves once it printed its URL. */
function startServe(dataDir: string): Promise<{ child: ChildProcess; port: number; output: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, LAYERBENCH_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = () => {
      const port = /127\.0\.0\.1:(\d+)\//.exec(out)?.[1];
      if (!port) return;
      child.stdout!.off('data', onData);
      resolve({ child, port: Number(port), output: () => out, exited });
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
}

function socketTo(port: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`, { headers: { origin: `http://127.0.0.1:${port}` } });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** A folder of two classes holding `count` links to one noisy photo-sized JPEG: slow to decode, free on disk. */
async function slowImageFolder(root: string, count: number): Promise<string> {
  const folder = path.join(root, 'images');
  const size = 900;
  const noise = Buffer.from(Array.from({ length: size * size * 3 }, (_, i) => (i * 2654435761) >>> 24));
  const original = path.join(root, 'noise.jpg');
  await sharp(noise, { raw: { width: size, height: size, channels: 3 } })
    .jpeg({ quality: 95 })
    .toFile(original);
  for (const cls of ['a', 'b']) mkdirSync(path.join(folder, cls), { recursive: true });
  for (let i = 0; i < count; i++) linkSync(original, path.join(folder, i % 2 ? 'a' : 'b', `${i}.jpg`));
  return folder;
}

describe('layerbench serve', () => {
  it('exits after SIGTERM while a folder import is decoding, without finishing the import', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'lb-serve-term-'));
    const folder = await slowImageFolder(root, 1500);
    const dataDir = path.join(root, 'data');
    const serving = await startServe(dataDir);
    const ws = await socketTo(serving.port);
    const decoding = new Promise<void>((resolve) =>
      ws.on('message', (d: Buffer) => {
        const msg = JSON.parse(d.toString()) as { event?: string; payload?: { phase: string; done: number; total: number | null } };
        if (msg.event === 'dataset:progress' && msg.payload?.phase === 'decoding' && msg.payload.done < (msg.payload.total ?? 0)) resolve();
      }),
    );
    ws.send(JSON.stringify({ id: 1, channel: 'dataset:import', payload: { kind: 'folder', path: folder, options: 'size=32x32,nocache' } }));
    await decoding;
    serving.child.kill('SIGTERM');
    expect(await serving.exited).toBe(0);
    // The import was dropped, not waited for: it never reached the list of imported datasets.
    expect(existsSync(path.join(dataDir, 'datasets.json'))).toBe(false);
    expect(serving.output()).toContain('Stopping');
  });

  it('exits after SIGTERM during a training, with the run marked as no longer running', async () => {
    const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'lb-serve-train-')), 'data');
    const serving = await startServe(dataDir);
    const ws = await socketTo(serving.port);
    const training = new Promise<string>((resolve) =>
      ws.on('message', (d: Buffer) => {
        const msg = JSON.parse(d.toString()) as { event?: string; payload?: { runId: string; event: { type: string } } };
        if (msg.event === 'training:event' && msg.payload?.event.type === 'epochEnd') resolve(msg.payload.runId);
      }),
    );
    const experiment = {
      model: { inputShape: [28, 28, 1], layers: [{ type: 'Flatten' }, { type: 'Dense', units: 10, activation: 'softmax' }] },
      training: { epochs: 1000 },
    };
    ws.send(JSON.stringify({ id: 1, channel: 'training:start', payload: { experiment, datasetId: 'mnist', name: 'long' } }));
    const runId = await training;
    serving.child.kill('SIGTERM');
    expect(await serving.exited).toBe(0);
    const info = JSON.parse(readFileSync(path.join(dataDir, 'runs', runId, 'run.json'), 'utf8')) as { status: string };
    expect(info.status).not.toBe('running');
  });

  it('logs an error nothing handled and keeps serving (the guard serve installs)', async () => {
    const guard = pathToFileURL(path.resolve('dist/main/server/crash-guard.js')).href;
    const script = `
      const { keepServingThroughErrors } = await import(${JSON.stringify(guard)});
      keepServingThroughErrors();
      setTimeout(() => { throw new Error('thrown in a timer'); });
      void Promise.reject(new Error('rejected, never awaited'));
      setTimeout(() => process.stdout.write('still serving'), 50);`;
    const r = await execNode(['--input-type=module', '-e', script]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('still serving');
    expect(r.stderr).toContain('uncaught exception (the server keeps running): Error: thrown in a timer');
    expect(r.stderr).toContain('unhandled promise rejection (the server keeps running): Error: rejected, never awaited');
  });
});
