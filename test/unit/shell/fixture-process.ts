/**
 * A stand-in training process for host tests: speaks the real host protocol, and behaves as the job's name
 * says (finish, crash after an epoch, run out of memory for real, ignore stop, flood batch events), and tool
 * jobs as their source says (answer, crash, hang).
 * Written to a temp file as plain JS so child_process.fork and the fake utilityProcess can start it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SOURCE = String.raw`
import { mkdirSync, writeFileSync, appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
const send = (m) => process.send(m);
const epoch = (n) => ({ epoch: n, loss: 1 / n, accuracy: 0.5, durationMs: 1, samples: 10 });
let stopAsked = false;
function start(job, initialEpoch = 1) {
  mkdirSync(job.dir, { recursive: true });
  writeFileSync(path.join(job.dir, 'run.json'), JSON.stringify({ version: 1, name: job.name, createdAt: new Date().toISOString(),
    experiment: job.experiment, dataset: { id: job.datasetId, name: 'fixture', source: 'x', inputShape: [8, 8, 1], classNames: ['a', 'b'] },
    versions: { layerbench: '0', node: process.versions.node }, status: 'running' }));
  send({ type: 'event', event: { type: 'start', backend: { name: 'cpu', native: false, detail: 'fixture' }, trainCount: 10, validationCount: 0, epochs: 3, initialEpoch, batchSize: 1, batchesPerEpoch: 10, totalParams: 1 } });
}
function markEnded(job, status) {
  const file = path.join(job.dir, 'run.json');
  const info = JSON.parse(readFileSync(file, 'utf8'));
  writeFileSync(file, JSON.stringify({ ...info, status, finishedAt: new Date().toISOString() }));
}
function endEpoch(job, n) {
  appendFileSync(path.join(job.dir, 'epochs.jsonl'), JSON.stringify(epoch(n)) + '\n');
  send({ type: 'event', event: { type: 'epochEnd', record: epoch(n), epochs: 3 } });
}
process.on('message', (m) => {
  if (m.type === 'probe') { send({ type: 'probe', backend: { name: 'cpu', native: false, detail: 'fixture backend' } }); setTimeout(() => process.exit(0), 20); return; }
  if (m.type === 'stop') { stopAsked = true; return; }
  if (m.type === 'tool') {
    // Tool jobs behave as their source says: crash, hang, or answer after a moment.
    const source = m.job.source;
    if (source === 'crash') { process.stderr.write('tool fixture: boom\n'); setTimeout(() => process.exit(5), 20); return; }
    if (source === 'hang') { setInterval(() => {}, 1000); return; }
    setTimeout(() => {
      send({ type: 'toolResult', output: { mode: 'import', experiment: { model: { inputShape: [8, 8, 1], layers: [] } }, warnings: [source] } });
      setTimeout(() => process.exit(0), 20);
    }, 300);
    return;
  }
  if (m.type !== 'train') return;
  const job = m.job;
  start(job);
  if (job.name === 'crash') { endEpoch(job, 1); setTimeout(() => process.exit(3), 50); return; }
  if (job.name === 'oom') {
    endEpoch(job, 1);
    const hog = [];
    setTimeout(() => { for (;;) hog.push(new Array(1e6).fill(hog.length)); }, 20);
    return;
  }
  if (job.name === 'hang') { setInterval(() => {}, 1000); return; }
  if (job.name === 'flood') {
    let i = 0;
    const t = setInterval(() => {
      i++;
      send({ type: 'event', event: { type: 'batch', epoch: 1, batch: i, batches: 200, samplesSeen: i, samplesTotal: 200, loss: 1, accuracy: 0, batchLoss: 1, elapsedMs: i * 5, samplesPerSec: 200 } });
      if (i === 200) { clearInterval(t); endEpoch(job, 1); send({ type: 'event', event: { type: 'end', status: 'finished', history: [epoch(1)], durationMs: 1000 } }); setTimeout(() => process.exit(0), 20); }
    }, 5);
    return;
  }
  if (job.name === 'resumed') {
    // Goes on after epoch 1, as a resume does: this process trains epochs 2 and 3 only.
    start(job, 2); endEpoch(job, 2); endEpoch(job, 3);
    markEnded(job, 'finished');
    send({ type: 'event', event: { type: 'end', status: 'finished', history: [epoch(1), epoch(2), epoch(3)], durationMs: 10 } });
    setTimeout(() => process.exit(0), 20);
    return;
  }
  if (job.name === 'stoppable') {
    const t = setInterval(() => {
      if (!stopAsked) return;
      clearInterval(t);
      endEpoch(job, 1);
      markEnded(job, 'stopped');
      send({ type: 'event', event: { type: 'end', status: 'stopped', history: [epoch(1)], durationMs: 10 } });
      setTimeout(() => process.exit(0), 20);
    }, 10);
    return;
  }
  endEpoch(job, 1); endEpoch(job, 2); endEpoch(job, 3);
  markEnded(job, 'finished');
  send({ type: 'event', event: { type: 'end', status: 'finished', history: [epoch(1), epoch(2), epoch(3)], durationMs: 10 } });
  setTimeout(() => process.exit(0), 20);
});
`;

export function writeFixtureProcess(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lb-fixture-'));
  const file = path.join(dir, 'fixture-training-process.mjs');
  writeFileSync(file, SOURCE);
  return file;
}
