/**
 * The training loop: a seeded, stoppable, event-emitting equivalent of Keras's `model.fit`, driving
 * `trainOnBatch` so batches are built from uint8 pixels on demand and a stop lands on a batch boundary.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { summarize } from '../../common/summarize.js';
import type { ExperimentSpec } from '../../common/spec.js';
import type { EpochRecord, RunStatus, TrainingEvent } from '../../common/training-events.js';
import { mulberry32, shuffleInPlace } from '../../common/random.js';
import type { Dataset, Subset } from '../data/dataset.js';
import { stratifiedSplit, type SplitRecord } from '../data/split.js';
import { augmentationEnabled, augmentBatch } from '../data/augment.js';
import { buildModel, compileModel, ModelBuildError } from './build-model.js';
import { makeBatch } from './batches.js';
import type { CheckpointStore } from './checkpoint.js';
import { DivergenceWatch, type BestState } from './early-stopping.js';
import { EpochKeeper, type EarlyStop, type ResumeFrom } from './epoch-keeper.js';
import { deriveSeed, restoreMathRandom, seedMathRandom } from './seeded-random.js';
import type { EngineBackend, LayersModel } from './tf-types.js';
import { evaluateSubset } from './validate.js';
import { makeForward, type Forward } from './graph/forward.js';
import { makeTrainStep, type TrainStep } from './graph/graph-step.js';
import { eagerStepFault } from './layers/index.js';
import { LearningRateTracker } from './lr-tracker.js';
import { isOutOfMemoryText, isRunFailureCode, type RunFailureCode, type RunFailureRecord } from '../../common/run-failures.js';

export interface TrainOptions {
  backend: EngineBackend;
  experiment: ExperimentSpec;
  dataset: Dataset;
  onEvent?: (event: TrainingEvent) => void;
  /** Aborting stops the run at the next batch boundary, keeping the history so far. */
  signal?: AbortSignal;
  /** Least time between two batch events; the last batch of an epoch is always reported. */
  batchEventIntervalMs?: number;
  /** Called after each epoch with the model (for checkpoints); may be async. */
  afterEpoch?: (model: LayersModel, record: EpochRecord) => Promise<void> | void;
  /** Continue from a checkpoint: its epochs count as done, its weights and optimizer state are put back. */
  resume?: ResumeFrom;
  /** Where the `best` and `last` checkpoints go after each epoch (absent: none are written). */
  checkpoints?: CheckpointStore;
  /**
   * Start from these weights instead of fresh ones (see initial-weights.ts): `load` gets the freshly built
   * model before it is compiled; `from` says where they came from, in the log. Ignored on a resume, whose
   * checkpoint carries the weights.
   */
  initialWeights?: { from: string; load: (model: LayersModel) => Promise<void> };
}

export interface TrainResult {
  status: RunStatus;
  history: EpochRecord[];
  split: SplitRecord;
  durationMs: number;
  error?: RunFailureRecord;
  /** The trained model (absent when it could not be built). Call dispose() when done with it. */
  model?: LayersModel;
  /** The best epoch by the monitored metric (also in every checkpoint, so it survives a resume). */
  best?: BestState;
  /** Set when early stopping ended the run (status is then `finished`, as in Keras). */
  stoppedEarly?: EarlyStop;
  dispose(): void;
}

export class TrainingError extends Error {
  constructor(
    readonly code: RunFailureCode,
    message: string,
  ) {
    super(message);
    this.name = 'TrainingError';
  }
}

function errorInfo(e: unknown): RunFailureRecord {
  if (e instanceof TrainingError) return { code: e.code, message: e.message };
  if (e instanceof ModelBuildError) return { code: 'INVALID_MODEL', message: e.message };
  const message = e instanceof Error ? e.message : String(e);
  // Checkpoint and run-store failures carry a code of their own (ENOSPC, EIO, MONITOR_UNAVAILABLE ...).
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && isRunFailureCode(code)) return { code, message };
  if (isOutOfMemoryText(message)) {
    return { code: 'OUT_OF_MEMORY', message: `out of memory: ${message}; try a smaller batch size or model` };
  }
  return { code: 'TRAINING_FAILED', message };
}

export async function train(options: TrainOptions): Promise<TrainResult> {
  const { backend, experiment, dataset } = options;
  const { tf } = backend;
  const settings = experiment.training;
  const emit = options.onEvent ?? (() => {});
  const interval = options.batchEventIntervalMs ?? 200;
  const numClasses = dataset.classNames.length;
  const sparse = settings.loss === 'sparseCategoricalCrossentropy';
  const started = Date.now();
  const history: EpochRecord[] = [];
  const split = stratifiedSplit(dataset.train, settings.validationSplit, settings.seed);
  const trainSet: Subset = split.train;
  const valSet: Subset = split.validation;
  let model: LayersModel | undefined;
  let optimizer: { dispose(): void } | undefined;
  let keeper: EpochKeeper | undefined;
  let step: TrainStep | undefined;
  // Validation's forward pass, built at the first validation and reused every epoch (it reads the weights).
  let forward: Forward | undefined;
  let stoppedEarly: EarlyStop | undefined;
  let status: RunStatus = 'finished';
  let error: RunFailureRecord | undefined;
  const dispose = () => {
    model?.dispose();
    optimizer?.dispose();
    keeper?.dispose();
    step?.dispose();
    step = undefined;
    model = undefined;
    optimizer = undefined;
  };

  try {
    if (dataset.inputShape.join('x') !== experiment.model.inputShape.join('x')) {
      throw new TrainingError(
        'SHAPE_MISMATCH',
        `the model expects ${experiment.model.inputShape.join('x')} images but dataset ${dataset.id} has ${dataset.inputShape.join('x')}`,
      );
    }
    if (settings.batchSize > trainSet.indices.length) {
      throw new TrainingError(
        'BATCH_TOO_LARGE',
        `batch size ${settings.batchSize} is larger than the ${trainSet.indices.length} training images; choose at most ${trainSet.indices.length}`,
      );
    }
    seedMathRandom(deriveSeed(settings.seed, 'init'));
    model = buildModel(tf, experiment.model, numClasses);
    const initial = options.resume ? undefined : options.initialWeights;
    if (initial) await initial.load(model);
    optimizer = compileModel(tf, model, settings);
    keeper = await EpochKeeper.create(tf, model, settings, valSet.indices.length > 0, options.checkpoints, options.resume);
    const firstEpoch = (options.resume?.state.epoch ?? 0) + 1;
    const divergence = new DivergenceWatch(numClasses);
    const rates = new LearningRateTracker(settings, keeper.tracker.state.monitor, valSet.indices.length > 0, options.resume?.state.plateau);
    if (options.resume) history.push(...options.resume.state.history);
    const trainCount = trainSet.indices.length;
    const batches = Math.ceil(trainCount / settings.batchSize);
    emit({
      type: 'start',
      backend: {
        name: backend.name,
        native: backend.native,
        detail: backend.detail,
        ...(backend.warning ? { warning: backend.warning } : {}),
      },
      trainCount,
      validationCount: valSet.indices.length,
      epochs: settings.epochs,
      initialEpoch: firstEpoch,
      batchSize: settings.batchSize,
      batchesPerEpoch: batches,
      totalParams: summarize(experiment.model).totalParams,
    });

    const log = (message: string) => emit({ type: 'log', level: 'info', message });
    step = makeTrainStep(tf, model, experiment.model, settings, numClasses, log);
    // tfjs's own step would fail at the first batch with tfjs's words; say which layer and why before it starts.
    const eagerFault = step.kind === 'eager' ? eagerStepFault(experiment.model) : undefined;
    if (eagerFault) throw new TrainingError('INVALID_MODEL', eagerFault);
    const trainStep = step;
    if (initial) emit({ type: 'log', level: 'info', message: `Starting from the weights in ${initial.from}, not fresh ones` });
    if (options.resume) {
      const b = keeper.best;
      const best = b.bestEpoch !== undefined ? `; best ${b.monitor} so far ${b.best?.toFixed(4)} at epoch ${b.bestEpoch}` : '';
      emit({ type: 'log', level: 'info', message: `Resuming after epoch ${firstEpoch - 1} with its weights and optimizer state${best}` });
    }
    for (let epoch = firstEpoch; epoch <= settings.epochs && status === 'finished'; epoch++) {
      emit({ type: 'epochStart', epoch, epochs: settings.epochs });
      const epochStart = Date.now();
      const order = new Uint32Array(trainCount);
      for (let i = 0; i < trainCount; i++) order[i] = i;
      shuffleInPlace(order, mulberry32(deriveSeed(settings.seed, 'shuffle', epoch)));
      seedMathRandom(deriveSeed(settings.seed, 'dropout', epoch));
      // Augmentation draws its own stream per epoch, so turning it on changes nothing else about the run.
      const augRandom = mulberry32(deriveSeed(settings.seed, 'augment', epoch));
      const aug = settings.augmentation;
      const augment = augmentationEnabled(aug)
        ? (pixels: Uint8Array, count: number) => augmentBatch(pixels, count, experiment.model.inputShape, aug, augRandom)
        : undefined;
      let lossSum = 0;
      let accSum = 0;
      let seen = 0;
      let lastEmit = 0;
      for (let b = 0; b < batches; b++) {
        // A step on native TensorFlow settles without returning to the event loop, so a stop request (a
        // process message or a signal) would wait for the epoch's end; one turn per batch lets it arrive.
        if (options.signal && b > 0) await nextTurn();
        if (options.signal?.aborted) {
          status = 'stopped';
          break;
        }
        const start = b * settings.batchSize;
        const end = Math.min(trainCount, start + settings.batchSize);
        const { xs, ys } = makeBatch(tf, trainSet, order, start, end, experiment.model.inputShape, numClasses, sparse, augment);
        let batchLoss: number;
        let batchAcc: number;
        // Keras's schedules read the optimizer's step count: every batch of the epochs before, then this one's.
        const lr = rates.at((epoch - 1) * batches + b);
        try {
          [batchLoss, batchAcc] = await trainStep.run(xs, ys, lr);
        } finally {
          tf.dispose([xs, ys]);
        }
        if (!Number.isFinite(batchLoss)) {
          throw new TrainingError(
            'NAN_LOSS',
            `the loss became ${batchLoss} at epoch ${epoch}, batch ${b + 1}; training stopped. Lower the learning rate (now ${lr}) or add BatchNormalization`,
          );
        }
        const diverged = divergence.check(batchLoss);
        if (diverged) {
          throw new TrainingError(
            'LOSS_DIVERGED',
            `${diverged} at epoch ${epoch}, batch ${b + 1}; training stopped. Lower the learning rate (now ${lr}) or add BatchNormalization`,
          );
        }
        const n = end - start;
        lossSum += batchLoss * n;
        accSum += batchAcc * n;
        seen += n;
        const now = Date.now();
        if (now - lastEmit >= interval || b === batches - 1) {
          lastEmit = now;
          const elapsed = now - epochStart;
          emit({
            type: 'batch',
            epoch,
            batch: b + 1,
            batches,
            samplesSeen: seen,
            samplesTotal: trainCount,
            loss: lossSum / seen,
            accuracy: accSum / seen,
            batchLoss,
            elapsedMs: elapsed,
            samplesPerSec: elapsed > 0 ? (seen * 1000) / elapsed : 0,
          });
        }
      }
      // The graph step keeps the weights in TensorFlow between batches; validation and checkpoints read tfjs's.
      trainStep.sync();
      if (status !== 'finished') break;
      const record: EpochRecord = {
        epoch,
        loss: lossSum / seen,
        accuracy: accSum / seen,
        durationMs: 0,
        samples: seen,
        steps: batches,
        trainMs: Date.now() - epochStart,
      };
      if (valSet.indices.length > 0) {
        forward ??= makeForward(tf, model);
        const val = await evaluateSubset(tf, model, valSet, experiment.model.inputShape, numClasses, forward);
        record.val_loss = val.loss;
        record.val_accuracy = val.accuracy;
      }
      if (settings.learningRateSchedule) record.lr = rates.at(epoch * batches - 1);
      const reduced = rates.afterEpoch(record);
      record.durationMs = Date.now() - epochStart;
      history.push(record);
      emit({ type: 'epochEnd', record, epochs: settings.epochs });
      if (reduced) emit({ type: 'log', level: 'info', message: reduced });
      if (options.afterEpoch) await options.afterEpoch(model, record);
      const verdict = await keeper.afterEpoch(model, record, history, rates.plateau);
      if (verdict.stop) {
        const ended = keeper.stopEarly(model, epoch);
        stoppedEarly = ended.stop;
        emit({ type: 'log', level: 'info', message: ended.message });
        break;
      }
    }
  } catch (e) {
    status = 'failed';
    error = errorInfo(e);
    // Whatever the failure, the model handed back holds the weights training reached (as trainOnBatch leaves them).
    try {
      step?.sync();
    } catch {
      // A session that failed cannot be read; the model keeps the weights of the last sync.
    }
    emit({ type: 'log', level: 'warn', message: error.message });
  } finally {
    restoreMathRandom();
    forward?.dispose();
  }
  const durationMs = Date.now() - started;
  emit({ type: 'end', status, history, durationMs, ...(error ? { error } : {}) });
  return {
    status,
    history,
    split: split.record,
    durationMs,
    ...(error ? { error } : {}),
    ...(model ? { model } : {}),
    ...(keeper ? { best: keeper.best } : {}),
    ...(stoppedEarly ? { stoppedEarly } : {}),
    dispose,
  };
}
