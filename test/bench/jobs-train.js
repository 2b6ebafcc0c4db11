// Training measurements through the engine's own train(): throughput, progress-reporting overhead,
// and start-up time with peak memory on CIFAR-sized data.
import { readFileSync } from 'node:fs';
import { train } from '../../dist/main/engine/train.js';
import { readNpyUint8 } from './npy.js';
import { summarize } from './stats.js';
import { asDataset, syntheticImages } from './synthetic.js';
import { variantExperiment } from './variants.js';

function loadData(job, count) {
  const images = readNpyUint8(job.images).data;
  const labels = readNpyUint8(job.labels).data;
  const size = 32 * 32 * 3;
  return asDataset(images.subarray(0, count * size), labels.subarray(0, count), count);
}

function experiment(job, extra = {}) {
  const spec = variantExperiment(job.variant);
  return { ...spec, training: { ...spec.training, batchSize: job.batchSize, validationSplit: 0, ...extra } };
}

/** What the desktop host does with each event: serialize it for IPC. Here the bytes go nowhere. */
function eventSink() {
  let bytes = 0;
  let count = 0;
  return {
    onEvent: (event) => {
      bytes += JSON.stringify(event).length;
      count++;
    },
    stats: () => ({ events: count, bytes }),
  };
}

/**
 * Epoch 1 is the warm-up (kernel and allocator start-up); epochs 2.. are the repeats. `events`: 'none'
 * (no listener), 'throttled' (the engine's default 200 ms), 'every' (every batch).
 */
export async function trainJob(backend, job) {
  const samples = job.samples;
  const dataset = loadData(job, samples);
  const sink = eventSink();
  const listen = job.events && job.events !== 'none';
  const result = await train({
    backend,
    experiment: experiment(job, { epochs: 1 + job.repeats }),
    dataset,
    ...(listen ? { onEvent: sink.onEvent, batchEventIntervalMs: job.events === 'every' ? 0 : 200 } : {}),
  });
  result.dispose();
  if (result.status !== 'finished') throw new Error(`training failed: ${result.error?.message ?? result.status}`);
  const epochs = result.history.slice(1);
  return {
    trainSamplesPerSec: epochs.map((r) => (r.samples * 1000) / r.durationMs),
    epochMs: epochs.map((r) => r.durationMs),
    warmupEpochMs: result.history[0].durationMs,
    ...(listen ? { events: sink.stats() } : {}),
  };
}

/**
 * BatchNormalization's cost as paired measurements in one process: each round trains the baseline and the
 * BN variant back to back (the order flips every round, so a drift in machine load does not favour one),
 * each with one warm-up epoch and `repeats` timed epochs. A burst of load from elsewhere then lands on one
 * round's ratio instead of on one variant, and the median over rounds is the steady figure.
 */
export async function bnPairJob(backend, job) {
  const rounds = [];
  for (let round = 0; round < job.rounds; round++) {
    const order = round % 2 === 0 ? ['baseline', 'batchnorm'] : ['batchnorm', 'baseline'];
    const rate = {};
    for (const variant of order) {
      const r = await trainJob(backend, { ...job, variant });
      rate[variant] = summarize(r.trainSamplesPerSec).median;
    }
    rounds.push({ baseline: rate.baseline, batchnorm: rate.batchnorm, ratio: rate.batchnorm / rate.baseline });
  }
  return { rounds };
}

function peakRssBytes() {
  try {
    const hwm = /VmHWM:\s*(\d+)\s*kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]) * 1024;
  } catch {
    // Not Linux: resourceUsage's maxRSS (kilobytes) is the same figure.
  }
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * A fresh process with CIFAR-10-sized data (50,000 images held as uint8) and the default 20% validation
 * split: how long until the first batch is done, and the peak resident memory over `batches` batches.
 */
export async function startupMemoryJob(backend, job, { started, backendMs }) {
  const t0 = performance.now();
  const { images, labels, count } = syntheticImages(job.samples, job.seed);
  const dataset = asDataset(images, labels, count);
  const dataMs = performance.now() - t0;
  const rssBeforeTraining = process.memoryUsage().rss;
  const abort = new AbortController();
  let trainCalled = 0;
  let firstBatchMs = null;
  let batches = 0;
  const batchTimes = [];
  let last = 0;
  const spec = variantExperiment(job.variant);
  trainCalled = performance.now();
  const result = await train({
    backend,
    experiment: { ...spec, training: { ...spec.training, batchSize: job.batchSize, epochs: 1 } },
    dataset,
    batchEventIntervalMs: 0,
    signal: abort.signal,
    onEvent: (e) => {
      if (e.type !== 'batch') return;
      const now = performance.now();
      if (firstBatchMs === null) firstBatchMs = now - trainCalled;
      else batchTimes.push(now - last);
      last = now;
      if (++batches >= job.batches) abort.abort();
    },
  });
  result.dispose();
  return {
    samples: count,
    datasetBytes: images.byteLength,
    processToBackendMs: backendMs,
    syntheticDataMs: dataMs,
    trainCallToFirstBatchMs: firstBatchMs,
    nodeStartMs: started,
    // What a user waits for: Node starting, native TensorFlow loading, then the engine up to the first
    // finished batch (split, model build, compile, first step). Generating the synthetic data is not counted.
    startToFirstBatchMs: started + backendMs + firstBatchMs,
    steadyBatchMs: batchTimes,
    batches,
    status: result.status,
    rssBeforeTrainingBytes: rssBeforeTraining,
    peakRssBytes: peakRssBytes(),
  };
}
