// What the benchmark measures and how much: `--quick` is a smoke check (a few batches, one repeat);
// the seed CNN rows take near 10 minutes on a 2-core machine (resnet20 adds more: its eager step is slow). `models` and `batchSizes` narrow the
// training rows; `trainingOnly` leaves out the sections after them (inference, BN cost, events, start-up).

export function makePlan({ quick, models, batchSizes, trainingOnly = false }) {
  return {
    quick,
    variants: models ?? ['baseline', 'batchnorm', 'resnet20'],
    batchSizes: batchSizes ?? [32, 128],
    trainingOnly,
    // Samples per timed epoch (each repeat is one epoch; one more epoch first, as the warm-up).
    samplesPerRepeat: quick ? 256 : 2048,
    repeats: quick ? 1 : 5,
    // Layerbench with tfjs's eager step too: what the one-graph step (main/engine/graph/) changes.
    eagerRepeats: quick ? 1 : 3,
    // BatchNormalization / baseline samples/s measured in back-to-back pairs, interleaved in one process.
    bnPairs: { rounds: quick ? 2 : 8, repeats: quick ? 1 : 2 },
    inference: { batchSize: 256, batches: quick ? 1 : 8, repeats: quick ? 1 : 5 },
    peak: { size: quick ? 1024 : 2048, repeats: quick ? 2 : 7 },
    events: { variant: 'baseline', batchSize: 32, samplesPerRepeat: quick ? 256 : 2048, repeats: quick ? 1 : 2, rounds: quick ? 1 : 3 },
    startup: { variant: 'batchnorm', batchSize: 32, samples: 50_000, batches: quick ? 5 : 40 },
    prefetch: { variant: 'baseline', batchSize: 32, batches: quick ? 4 : 40 },
    timeoutMs: quick ? 300_000 : 600_000,
  };
}
