/**
 * Learning-rate schedules in the exports: a .keras file's compile_config holds the schedule as Keras 3
 * serializes it (the real Keras loads it, with the optimizer's variables, and steps through the same rates as
 * Layerbench), and the Python script builds the schedule or the ReduceLROnPlateau callback.
 */
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { learningRateAt } from '../../../common/lr-schedule.js';
import type { LearningRateSchedule, TrainingSettings } from '../../../common/spec.js';
import { exportModel } from '../../../main/export/export-run.js';
import { kerasCompileConfig } from '../../../main/export/keras-config.js';
import { pythonTrainingScript } from '../../../main/export/python-script.js';
import { trainingFromKeras } from '../../../main/export/training-from-keras.js';
import type { EngineBackend } from '../../../main/engine/tf-types.js';
import { testBackend } from '../helpers/backend.js';
import { experimentOf, IMAGE_MODEL, seededModel, writeRunFolder } from './models.js';
import { needsPython, python, runPython } from './python-env.js';

let backend: EngineBackend;
let work: string;

beforeAll(async () => {
  backend = await testBackend();
  work = await mkdtemp(path.join(tmpdir(), 'lb-lr-export-'));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const exponential: LearningRateSchedule = { type: 'ExponentialDecay', decaySteps: 100, decayRate: 0.5, staircase: true };
const cosine: LearningRateSchedule = { type: 'CosineDecay', decaySteps: 400, alpha: 0.1, warmupTarget: 0.01, warmupSteps: 50 };
const plateau: LearningRateSchedule = { type: 'ReduceLROnPlateau', factor: 0.2, patience: 3, minDelta: 0.001, cooldown: 1, minLr: 1e-5 };

describe('schedules in the Keras export', () => {
  it('writes the schedule as the optimizer learning_rate, serialized as Keras 3 does', () => {
    const config = kerasCompileConfig(experimentOf(IMAGE_MODEL, { learningRateSchedule: exponential }).training) as {
      optimizer: { config: { learning_rate: unknown } };
    };
    expect(config.optimizer.config.learning_rate).toEqual({
      module: 'keras.optimizers.schedules',
      class_name: 'ExponentialDecay',
      config: { initial_learning_rate: 0.002, decay_steps: 100, decay_rate: 0.5, staircase: true, name: 'ExponentialDecay' },
      registered_name: null,
    });
    const plain = kerasCompileConfig(experimentOf(IMAGE_MODEL, { learningRateSchedule: plateau }).training) as typeof config;
    expect(plain.optimizer.config.learning_rate).toBe(0.002);
  });

  it.skipIf(!python.ok)(
    `keras.models.load_model restores the schedule (.keras with the optimizer's variables, and .h5)${needsPython}`,
    async () => {
      const cases: { training: Partial<TrainingSettings>; file: string }[] = [
        { training: { optimizer: 'adam', learningRateSchedule: exponential }, file: path.join(work, 'exponential.keras') },
        {
          training: { optimizer: 'sgd', momentum: 0.9, learningRate: 0.001, learningRateSchedule: cosine },
          file: path.join(work, 'cosine.keras'),
        },
        // The legacy .h5 file carries the schedule in its training_config.
        { training: { optimizer: 'rmsprop', learningRateSchedule: exponential }, file: path.join(work, 'exponential.h5') },
      ];
      const steps = [0, 25, 99, 100, 250, 449, 1000];
      const settings: TrainingSettings[] = [];
      for (const [i, c] of cases.entries()) {
        const experiment = experimentOf(IMAGE_MODEL, c.training);
        settings.push(experiment.training);
        const model = seededModel(backend.tf, IMAGE_MODEL, 10 + i);
        const run = path.join(work, `run-${i}`);
        await writeRunFolder(backend.tf, model, experiment, run);
        model.dispose();
        await exportModel(run, c.file.endsWith('.h5') ? 'h5' : 'keras', c.file);
      }
      const lines = runPython('keras_schedule.py', [JSON.stringify(steps), ...cases.map((c) => c.file)])
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { optimizer: string; schedule: string | null; rates: number[]; warnings: string[] });
      expect(lines.map((l) => [l.optimizer, l.schedule])).toEqual([
        ['Adam', 'ExponentialDecay'],
        ['SGD', 'CosineDecay'],
        ['RMSprop', 'ExponentialDecay'],
      ]);
      lines.forEach((line, k) => {
        steps.forEach((step, i) => expect(line.rates[i], `case ${k} step ${step}`).toBeCloseTo(learningRateAt(settings[k], step), 8));
        expect(line.warnings.filter((w) => /Skipping|could not be loaded|mismatch/i.test(w))).toEqual([]);
      });
    },
  );
});

describe('schedules from an imported Keras file', () => {
  it('reads ExponentialDecay and CosineDecay back from a compile_config, and ignores other schedules', () => {
    for (const schedule of [exponential, cosine]) {
      const training = experimentOf(IMAGE_MODEL, { optimizer: 'adam', learningRateSchedule: schedule }).training;
      const back = trainingFromKeras(kerasCompileConfig(training));
      expect(back.learningRateSchedule, schedule.type).toEqual(schedule);
      expect(back.learningRate).toBe(training.learningRate);
    }
    const polynomial = {
      optimizer: {
        class_name: 'Adam',
        config: { learning_rate: { class_name: 'PolynomialDecay', config: { initial_learning_rate: 0.1 } } },
      },
    };
    expect(trainingFromKeras(polynomial).learningRateSchedule).toBeUndefined();
  });
});

describe('schedules in the Python script', () => {
  it('builds the schedule for the optimizer, or the ReduceLROnPlateau callback for fit()', () => {
    const withCosine = pythonTrainingScript(experimentOf(IMAGE_MODEL, { optimizer: 'adam', learningRateSchedule: cosine }));
    expect(withCosine).toContain('keras.optimizers.Adam(learning_rate=make_learning_rate()');
    expect(withCosine).toContain(
      'return keras.optimizers.schedules.CosineDecay(initial_learning_rate=LEARNING_RATE, decay_steps=400, alpha=0.1, warmup_target=0.01, warmup_steps=50)',
    );
    expect(withCosine).toMatch(/def make_callbacks\(\):\n {4}return \[\]/);
    const withPlateau = pythonTrainingScript(experimentOf(IMAGE_MODEL, { learningRateSchedule: plateau, validationSplit: 0 }));
    expect(withPlateau).not.toContain('make_learning_rate');
    expect(withPlateau).toContain(
      'keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.2, patience=3, min_delta=0.001, cooldown=1, min_lr=0.00001, verbose=1)',
    );
    expect(withPlateau).toContain('callbacks=make_callbacks()');
  });

  it.skipIf(!python.ok)(`the script's schedule and callback run in Python${needsPython}`, () => {
    // The functions each script defines, loaded without running its main(): they must build what Keras expects.
    const schedules = [exponential, cosine, plateau];
    const files = schedules.map((schedule) => {
      const file = path.join(work, `script-${schedule.type}.py`);
      writeFileSync(file, pythonTrainingScript(experimentOf(IMAGE_MODEL, { learningRateSchedule: schedule })));
      return file;
    });
    const driver = path.join(work, 'probe_scripts.py');
    const probe = [
      'import runpy, sys',
      'import keras',
      'for file in sys.argv[1:]:',
      '    script = runpy.run_path(file, run_name="probe")',
      '    optimizer = script["make_optimizer"]()',
      '    callbacks = [type(c).__name__ for c in script["make_callbacks"]()]',
      '    print("rate", float(keras.ops.convert_to_numpy(optimizer.learning_rate)), "callbacks", ",".join(callbacks) or "-")',
    ];
    writeFileSync(driver, probe.join('\n') + '\n');
    const lines = runPython(driver, files)
      .split('\n')
      .filter((l) => l.startsWith('rate '));
    expect(lines).toHaveLength(schedules.length);
    schedules.forEach((schedule, i) => {
      const [, rate, , callbacks] = lines[i].split(' ');
      const expected = learningRateAt(experimentOf(IMAGE_MODEL, { learningRateSchedule: schedule }).training, 0);
      expect(Number(rate), schedule.type).toBeCloseTo(expected, 8);
      expect(callbacks, schedule.type).toBe(schedule.type === 'ReduceLROnPlateau' ? 'ReduceLROnPlateau' : '-');
    });
  });
});
