import { beforeAll, describe, expect, it } from 'vitest';
import { preset } from '../../../common/presets.js';
import type { TrainingEvent } from '../../../common/training-events.js';
import type { Dataset } from '../../../main/data/dataset.js';
import { train } from '../../../main/engine/train.js';
import type { EngineBackend } from '../../../main/engine/tf-types.js';
import { testBackend } from '../helpers/backend.js';
import { tinyExperiment, tinyMnist } from '../helpers/fixtures.js';

/** The seed CNN without BatchNormalization at learning rate 1e6: its logits overflow to NaN within a few batches. */
function divergingExperiment() {
  const e = preset('seed-baseline', { inputShape: [28, 28, 1], numClasses: 10 });
  return { ...e, training: { ...e.training, learningRate: 1e6, epochs: 1, validationSplit: 0.25 } };
}

let backend: EngineBackend;
let data: Dataset;

beforeAll(async () => {
  backend = await testBackend();
  data = await tinyMnist(400);
});

describe('train', () => {
  it('reports which backend it runs on', () => {
    // CI builds native TensorFlow; LAYERBENCH_EXPECT_NATIVE=1 there makes a silent fallback a failure.
    if (process.env.LAYERBENCH_EXPECT_NATIVE === '1') expect(backend.name).toBe('tensorflow');
    expect(['tensorflow', 'wasm', 'cpu']).toContain(backend.name);
  });

  it('emits start, epochs, batches and end in order, with a Keras-like history', async () => {
    const events: TrainingEvent[] = [];
    const result = await train({
      backend,
      experiment: tinyExperiment(),
      dataset: data,
      onEvent: (e) => events.push(e),
      batchEventIntervalMs: 0,
    });
    result.dispose();
    expect(result.status).toBe('finished');
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('start');
    expect(types[types.length - 1]).toBe('end');
    const start = events[0] as Extract<TrainingEvent, { type: 'start' }>;
    expect(start).toMatchObject({ trainCount: 300, validationCount: 100, epochs: 2, batchesPerEpoch: 10, backend: { name: backend.name } });
    expect(events.filter((e) => e.type === 'batch')).toHaveLength(20);
    const ends = events.filter((e): e is Extract<TrainingEvent, { type: 'epochEnd' }> => e.type === 'epochEnd');
    expect(ends.map((e) => e.record.epoch)).toEqual([1, 2]);
    for (const e of ends) {
      expect(e.record.samples).toBe(300);
      // Keras's per-step time counts the training steps only: validation runs after trainMs is taken.
      expect(e.record.steps).toBe(10);
      expect(e.record.trainMs).toBeLessThanOrEqual(e.record.durationMs);
      expect(e.record.val_accuracy).toBeGreaterThanOrEqual(0);
      expect(e.record.val_accuracy).toBeLessThanOrEqual(1);
      expect(Number.isFinite(e.record.val_loss)).toBe(true);
    }
    expect(result.history).toEqual(ends.map((e) => e.record));
    expect(result.split).toMatchObject({ trainCount: 300, validationCount: 100, stratified: true });
    const lastBatch = events.filter((e) => e.type === 'batch').at(-1) as Extract<TrainingEvent, { type: 'batch' }>;
    expect(lastBatch).toMatchObject({ epoch: 2, batch: 10, batches: 10, samplesSeen: 300, samplesTotal: 300 });
    expect(lastBatch.samplesPerSec).toBeGreaterThan(0);
  });

  it('throttles batch events but always reports the last batch of an epoch', async () => {
    const batches: number[] = [];
    const result = await train({
      backend,
      experiment: tinyExperiment({ epochs: 1 }),
      dataset: data,
      batchEventIntervalMs: 60_000,
      onEvent: (e) => e.type === 'batch' && batches.push(e.batch),
    });
    result.dispose();
    expect(batches).toEqual([1, 10]);
  });

  it('learns: accuracy after training beats chance clearly', async () => {
    const result = await train({ backend, experiment: tinyExperiment({ epochs: 3 }), dataset: data });
    result.dispose();
    expect(result.history[2].val_accuracy!).toBeGreaterThan(0.5);
  });

  it('learns with the sparse loss and its accuracy metric, with the graph step and with the eager one', async () => {
    for (const eager of [false, true]) {
      if (eager) process.env.LAYERBENCH_EAGER_STEP = '1';
      try {
        const result = await train({
          backend,
          experiment: tinyExperiment({ loss: 'sparseCategoricalCrossentropy', epochs: 3 }),
          dataset: data,
        });
        result.dispose();
        expect(result.error?.message, `eager ${eager}`).toBeUndefined();
        expect(result.status).toBe('finished');
        expect(result.history[2].accuracy).toBeGreaterThan(0.5);
        expect(result.history[2].val_accuracy).toBeGreaterThan(0.4);
      } finally {
        delete process.env.LAYERBENCH_EAGER_STEP;
      }
    }
  });

  it('stops at a batch boundary on request, keeping the history so far', async () => {
    const stop = new AbortController();
    let batchesSeen = 0;
    const result = await train({
      backend,
      experiment: tinyExperiment({ epochs: 5 }),
      dataset: data,
      signal: stop.signal,
      batchEventIntervalMs: 0,
      onEvent: (e) => {
        if (e.type === 'batch' && e.epoch === 2 && e.batch === 3) stop.abort();
        if (e.type === 'batch') batchesSeen++;
      },
    });
    result.dispose();
    expect(result.status).toBe('stopped');
    expect(result.history).toHaveLength(1);
    expect(batchesSeen).toBe(13);
  });

  it('stops at the next batch boundary when the request arrives as an event-loop message, as from the host', async () => {
    // The training process learns of a stop through a process message, delivered only when the loop yields
    // to the event loop; a loop that never yields within an epoch would train the whole epoch first.
    const stop = new AbortController();
    const batches: number[] = [];
    const result = await train({
      backend,
      experiment: tinyExperiment({ epochs: 1 }),
      dataset: data,
      signal: stop.signal,
      batchEventIntervalMs: 0,
      onEvent: (e) => {
        if (e.type !== 'batch') return;
        batches.push(e.batch);
        if (e.batch === 2) setTimeout(() => stop.abort(), 0);
      },
    });
    result.dispose();
    expect(result.status).toBe('stopped');
    expect(result.history).toHaveLength(0);
    expect(Math.max(...batches)).toBeLessThan(10);
  });

  it('is reproducible: same seed gives the same first-epoch metrics to 1e-5; another seed does not', async () => {
    const run = async (seed: number) => {
      const r = await train({ backend, experiment: tinyExperiment({ epochs: 1, seed }), dataset: data });
      r.dispose();
      return r.history[0];
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    for (const k of ['loss', 'accuracy', 'val_loss', 'val_accuracy'] as const) expect(Math.abs(a[k]! - b[k]!)).toBeLessThanOrEqual(1e-5);
    expect(Math.abs(a.loss - c.loss)).toBeGreaterThan(1e-5);
  });

  it('fails with a clear message on a batch larger than the training set', async () => {
    const result = await train({ backend, experiment: tinyExperiment({ batchSize: 5000 }), dataset: data });
    result.dispose();
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'BATCH_TOO_LARGE' });
    expect(result.error!.message).toContain('batch size 5000 is larger than the 300 training images');
  });

  it('fails on a model that does not fit the data, before training', async () => {
    const experiment = tinyExperiment();
    experiment.model.inputShape = [32, 32, 3];
    const result = await train({ backend, experiment, dataset: data });
    result.dispose();
    expect(result.error?.code).toBe('SHAPE_MISMATCH');
  });

  it('stops on a NaN loss within the first epoch, with a message saying what to do', async () => {
    const result = await train({ backend, experiment: divergingExperiment(), dataset: data });
    result.dispose();
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('NAN_LOSS');
    expect(result.error?.message).toContain('Lower the learning rate');
    expect(result.history).toHaveLength(0);
  });
});

describe('tensor leaks', () => {
  const cases: [string, () => Parameters<typeof train>[0]['experiment'], boolean][] = [
    ['a finished run', () => tinyExperiment({ epochs: 1 }), false],
    ['a stopped run', () => tinyExperiment({ epochs: 3 }), true],
    ['a failed run (NaN loss)', divergingExperiment, false],
    ['a run that never started (batch too large)', () => tinyExperiment({ batchSize: 5000 }), false],
  ];
  for (const [name, experiment, stopEarly] of cases) {
    it(`returns tf.memory().numTensors to its starting value after ${name}`, async () => {
      const before = backend.tf.memory().numTensors;
      const stop = new AbortController();
      const result = await train({
        backend,
        experiment: experiment(),
        dataset: data,
        signal: stop.signal,
        batchEventIntervalMs: 0,
        onEvent: (e) => stopEarly && e.type === 'batch' && e.batch === 2 && stop.abort(),
      });
      result.dispose();
      expect(backend.tf.memory().numTensors).toBe(before);
    });
  }
});
