// The benchmark itself; run.js checks the build and starts it. Layerbench's engine against Keras and
// PyTorch on the same synthetic data, plus the engine's own costs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize as summarizeModel } from '../../dist/common/summarize.js';
import { killChildren, runJson } from './child.js';
import { forwardFlopsPerSample, trainFlopsPerSample } from './flops.js';
import { writeNpyUint8 } from './npy.js';
import { PEERS, peerUnavailable, runPeer } from './peers.js';
import { makePlan } from './plan.js';
import { formatReport } from './report.js';
import { summarize } from './stats.js';
import { SHAPE, syntheticImages } from './synthetic.js';
import { variantExperiment, VARIANTS } from './variants.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const listArg = (flag) => {
  const i = args.indexOf(flag);
  return i >= 0 ? (args[i + 1] ?? '').split(',').filter(Boolean) : undefined;
};
const models = listArg('--models');
for (const m of models ?? []) if (!VARIANTS.includes(m)) throw new Error(`--models: unknown model "${m}"; known: ${VARIANTS.join(', ')}`);
const batchSizes = listArg('--batch-sizes')?.map(Number);
if (batchSizes?.some((b) => !Number.isInteger(b) || b < 1)) throw new Error('--batch-sizes: give whole numbers, e.g. 32,128');
const plan = makePlan({ quick: args.includes('--quick'), models, batchSizes, trainingOnly: args.includes('--training-only') });
const outIndex = args.indexOf('--out');
const outDir = path.resolve(outIndex >= 0 ? args[outIndex + 1] : 'bench-results');
const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

function worker(job, env = {}) {
  return runJson(process.execPath, [path.join(HERE, 'worker.js'), JSON.stringify(job)], {
    timeoutMs: plan.timeoutMs,
    env: { ...process.env, ...env },
  });
}

let expectedBackend = null;

function must(result, what) {
  if (!result.ok) throw new Error(`${what} failed: ${result.error}`);
  // Every worker must measure the same backend: a native library rebuilt or broken mid-run would
  // otherwise mix native and fallback numbers in one table.
  const name = result.value.backend?.name;
  if (name && expectedBackend && name !== expectedBackend)
    throw new Error(`${what} ran on the ${name} backend, the run began on ${expectedBackend}`);
  if (name) expectedBackend ??= name;
  return result.value;
}

const started = Date.now();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'layerbench-bench-'));
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killChildren();
    rmSync(tmp, { recursive: true, force: true });
    process.exit(130);
  });
}
try {
  const total = Math.max(
    plan.samplesPerRepeat,
    plan.inference.batchSize * plan.inference.batches,
    plan.prefetch.batchSize * plan.prefetch.batches,
  );
  const data = syntheticImages(total);
  const files = { images: path.join(tmp, 'images.npy'), labels: path.join(tmp, 'labels.npy') };
  writeNpyUint8(files.images, data.images, [total, ...SHAPE]);
  writeNpyUint8(files.labels, data.labels, [total]);
  const peers = args.includes('--no-peers') ? [] : PEERS.map((p) => ({ ...p, unavailable: peerUnavailable(p) }));
  for (const p of peers.filter((p) => p.unavailable)) log(`skipping ${p.label}: ${p.unavailable}`);

  log('peak: matrix multiply through the native library');
  const peak = must(await worker({ kind: 'peak', ...plan.peak }), 'peak');
  if (peak.backend.name !== 'tensorflow' && !args.includes('--allow-fallback')) {
    throw new Error(
      `Layerbench loaded the ${peak.backend.name} backend (${peak.backend.detail}), not native TensorFlow: ` +
        'run `npm run setup` first, or pass --allow-fallback to measure it anyway.',
    );
  }

  const configs = [];
  for (const variant of plan.variants) {
    for (const batchSize of plan.batchSizes) {
      const job = { ...files, variant, batchSize, samples: plan.samplesPerRepeat, repeats: plan.repeats };
      log(`training ${variant} batch ${batchSize}: Layerbench`);
      const lb = must(await worker({ kind: 'train', ...job }), `Layerbench ${variant} b${batchSize}`);
      const entry = { variant, batchSize, layerbench: { ...lb, train: summarize(lb.trainSamplesPerSec) }, peers: {} };
      if (plan.eagerRepeats > 0) {
        // Before/after, in the same run: tfjs's eager trainOnBatch, which the one-graph step replaces.
        log(`training ${variant} batch ${batchSize}: Layerbench with the eager step`);
        const r = must(
          await worker({ kind: 'train', ...job, repeats: plan.eagerRepeats }, { LAYERBENCH_EAGER_STEP: '1' }),
          `eager step ${variant} b${batchSize}`,
        );
        entry.layerbenchEager = { ...r, train: summarize(r.trainSamplesPerSec) };
      }
      // Peers also time inference once per variant, on their batch-32 run.
      const inference =
        batchSize === plan.batchSizes[0] ? { inferenceBatch: plan.inference.batchSize, inferenceBatches: plan.inference.batches } : {};
      for (const peer of peers) {
        if (peer.unavailable) {
          entry.peers[peer.id] = { skipped: peer.unavailable };
          continue;
        }
        log(`training ${variant} batch ${batchSize}: ${peer.label}`);
        const pj = { ...job, batchesPerRepeat: plan.samplesPerRepeat / batchSize, ...inference };
        const r = await runPeer(peer, pj, plan.timeoutMs);
        entry.peers[peer.id] = r.ok
          ? { ...r.value, train: summarize(r.value.trainSamplesPerSec), inference: summarize(r.value.inferenceSamplesPerSec) }
          : { failed: r.error };
        if (!r.ok) log(`${peer.label} failed: ${r.error}`);
      }
      configs.push(entry);
    }
  }

  const flops = Object.fromEntries(
    plan.variants.map((v) => {
      const spec = variantExperiment(v).model;
      const params = summarizeModel(spec, { numClasses: 10 }).totalParams;
      return [v, { params, trainPerSample: trainFlopsPerSample(spec, 10), forwardPerSample: forwardFlopsPerSample(spec, 10) }];
    }),
  );
  const rest = plan.trainingOnly ? {} : await afterTraining(files);
  const result = {
    date: new Date().toISOString(),
    command: `node test/bench/run.js ${args.join(' ')}`.trim(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryBytes: os.totalmem(),
      platform: `${os.platform()} ${os.arch()}`,
      node: process.version,
      loadAverageAtStart: os.loadavg(),
    },
    plan,
    backend: peak.backend,
    flops,
    peak: { size: peak.size, gflops: summarize(peak.gflops) },
    training: configs,
    ...rest,
    durationMs: Date.now() - started,
  };
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `bench-${result.date.replace(/:/g, '-').replace(/\..*/, '')}${plan.quick ? '-quick' : ''}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${formatReport(result, PEERS)}\nJSON: ${path.relative(process.cwd(), file)}\n`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

/** Everything after the training rows: inference, BatchNormalization's paired cost, events, start-up, prefetch. */
async function afterTraining(files) {
  const inference = {};
  for (const variant of plan.variants) {
    log(`inference ${variant} batch ${plan.inference.batchSize}: Layerbench`);
    const job = {
      kind: 'infer',
      ...files,
      variant,
      batchSize: plan.inference.batchSize,
      samples: plan.inference.batchSize * plan.inference.batches,
    };
    const r = must(await worker({ ...job, repeats: plan.inference.repeats }), `inference ${variant}`);
    // Before/after: the same evaluation with tfjs's eager model.predict instead of one graph run per chunk.
    const eager = must(
      await worker({ ...job, repeats: plan.inference.repeats }, { LAYERBENCH_EAGER_STEP: '1' }),
      `eager inference ${variant}`,
    );
    inference[variant] = {
      samplesPerSec: summarize(r.inferenceSamplesPerSec),
      eagerSamplesPerSec: summarize(eager.inferenceSamplesPerSec),
    };
  }

  // BatchNormalization's cost as paired measurements, interleaved in one process (see bnPairJob).
  log('BatchNormalization cost, paired rounds');
  const bnCost = {};
  for (const batchSize of plan.batchSizes) {
    const job = { kind: 'bnPair', ...files, batchSize, samples: plan.samplesPerRepeat, ...plan.bnPairs };
    const { rounds } = must(await worker(job), `paired BN cost b${batchSize}`);
    bnCost[batchSize] = { ...summarize(rounds.map((r) => r.ratio)), rounds };
  }

  log('progress-reporting overhead');
  const ev = plan.events;
  const modes = { none: [], throttled: [], every: [] };
  const names = Object.keys(modes);
  for (let round = 0; round < ev.rounds; round++) {
    // The order rotates each round so a change in machine load does not land on one mode.
    for (let k = 0; k < names.length; k++) {
      const events = names[(k + round) % names.length];
      const job = {
        kind: 'train',
        ...files,
        variant: ev.variant,
        batchSize: ev.batchSize,
        samples: ev.samplesPerRepeat,
        repeats: ev.repeats,
        events,
      };
      modes[events].push(must(await worker(job), `events ${events}`));
    }
  }
  const events = { variant: ev.variant, batchSize: ev.batchSize, samplesPerEpoch: ev.samplesPerRepeat, rounds: ev.rounds };
  const roundMedian = (run) => summarize(run.epochMs).median;
  for (const [mode, runs] of Object.entries(modes)) {
    events[mode] = {
      epochMs: summarize(runs.flatMap((r) => r.epochMs)),
      events: runs[0].events ?? null,
      // Paired by round: this mode's median epoch minus the no-listener median of the same round.
      overheadMs: summarize(runs.map((r, i) => roundMedian(r) - roundMedian(modes.none[i]))),
    };
  }

  log('start-up time and peak memory with 50,000 images in memory');
  const startup = must(await worker({ kind: 'startupMemory', ...plan.startup }), 'start-up/memory');
  log('batch assembly vs training step');
  const pf = must(await worker({ kind: 'prefetch', ...files, ...plan.prefetch }), 'prefetch');

  return {
    bnCost,
    inference,
    events,
    startup,
    prefetch: { ...plan.prefetch, assemblyMs: summarize(pf.assemblyMs), stepMs: summarize(pf.stepMs) },
  };
}
