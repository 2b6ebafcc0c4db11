/**
 * Bounds on every number a spec may hold. They keep untrusted input (a spec arriving over IPC or from a
 * file) from asking for a model that could never be built or would exhaust memory before failing.
 */
export const LIMITS = {
  maxLayers: 200,
  imageSide: { min: 1, max: 1024 },
  channels: { min: 1, max: 4 },
  filters: { min: 1, max: 4096 },
  kernel: { min: 1, max: 31 },
  strides: { min: 1, max: 16 },
  dilation: { min: 1, max: 16 },
  depthMultiplier: { min: 1, max: 64 },
  poolSize: { min: 1, max: 32 },
  units: { min: 1, max: 65536 },
  dropoutRate: { min: 0, maxExclusive: 1 },
  momentumBN: { min: 0, max: 1 },
  epsilon: { minExclusive: 0, max: 1 },
  learningRate: { minExclusive: 0, max: 1e6 },
  momentum: { min: 0, maxExclusive: 1 },
  batchSize: { min: 1, max: 8192 },
  epochs: { min: 1, max: 10000 },
  /** decaySteps and warmupSteps of a learning-rate schedule, in optimizer steps (batches). */
  scheduleStepsMax: 1e9,
  validationSplit: { min: 0, max: 0.9 },
  validationCountMax: 10_000_000,
  shiftPixelsMax: 16,
  seed: { min: 0, max: 2 ** 31 - 1 },
  nameLength: 100,
  /** Parameters a model may have; a 100M-parameter model is far beyond what a workstation CNN lab trains. */
  maxParams: 100_000_000,
} as const;
