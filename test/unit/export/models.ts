/** Layerbench models for the export tests: between them every supported layer type and every activation. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_TRAINING, type ExperimentSpec, type ModelSpec } from '../../../common/spec.js';
import { buildModel } from '../../../main/engine/build-model.js';
import { saveModelAtomic } from '../../../main/engine/save.js';
import type { LayersModel, TF } from '../../../main/engine/tf-types.js';
import { mulberry32 } from '../../../common/random.js';

/** Flatten after an image, two BatchNormalizations (image and vector), strides, 'same' and 'valid', no bias. */
export const IMAGE_MODEL: ModelSpec = {
  name: 'every layer',
  inputShape: [10, 10, 3],
  layers: [
    { type: 'Conv2D', filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' },
    { type: 'BatchNormalization' },
    { type: 'MaxPooling2D', poolSize: 2 },
    { type: 'Conv2D', filters: 5, kernelSize: [3, 2], strides: [1, 2], activation: 'elu', useBias: false, name: 'narrow' },
    { type: 'AveragePooling2D', poolSize: 2, strides: 1, padding: 'same' },
    { type: 'Dropout', rate: 0.4 },
    { type: 'Activation', activation: 'swish' },
    { type: 'Flatten' },
    { type: 'Dense', units: 12, activation: 'tanh' },
    { type: 'BatchNormalization', momentum: 0.9, epsilon: 0.01 },
    { type: 'Dropout', rate: 0.2 },
    { type: 'Dense', units: 4, activation: 'softmax' },
  ],
};

/** GlobalAveragePooling2D and the activations the first model does not use. */
export const VECTOR_MODEL: ModelSpec = {
  name: 'activations',
  inputShape: [8, 8, 1],
  layers: [
    { type: 'Conv2D', filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'selu' },
    { type: 'MaxPooling2D', poolSize: 3, strides: 1, padding: 'same' },
    { type: 'GlobalAveragePooling2D' },
    { type: 'Dense', units: 7, activation: 'sigmoid' },
    { type: 'Activation', activation: 'softplus' },
    { type: 'Dense', units: 6, activation: 'relu6' },
    { type: 'Activation', activation: 'softsign' },
    { type: 'Dense', units: 3 },
    { type: 'Activation', activation: 'linear' },
    { type: 'Activation', activation: 'softmax' },
  ],
};

export function experimentOf(model: ModelSpec, training: Partial<ExperimentSpec['training']> = {}): ExperimentSpec {
  return {
    model,
    training: { ...DEFAULT_TRAINING, optimizer: 'rmsprop', momentum: 0.5, learningRate: 0.002, batchSize: 16, epochs: 3, ...training },
  };
}

/** Builds the model with seeded random weights and BatchNormalization statistics far from 0 and 1. */
export function seededModel(tf: TF, spec: ModelSpec, seed: number): LayersModel {
  const random = mulberry32(seed);
  const uniform = (lo: number, hi: number) => lo + (hi - lo) * random();
  const model = buildModel(tf, spec);
  model.layers.forEach((layer) => {
    const weights = layer.getWeights();
    if (!weights.length) return;
    const bn = layer.getClassName() === 'BatchNormalization';
    const ranges: [number, number][] = bn
      ? [
          [0.5, 1.5],
          [-0.5, 0.5],
          [-0.5, 0.5],
          [0.5, 2],
        ]
      : weights.map(() => [-0.6, 0.6]);
    layer.setWeights(
      weights.map((w, i) =>
        tf.tensor(
          Float32Array.from({ length: w.size }, () => uniform(...ranges[i])),
          w.shape,
        ),
      ),
    );
  });
  return model;
}

export function seededInput(tf: TF, spec: ModelSpec, count: number, seed: number) {
  const random = mulberry32(seed);
  const shape = [count, ...spec.inputShape];
  return tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random()),
    shape,
  );
}

/** A run folder as `layerbench train --out DIR` leaves it: run.json and model/ with experiment.json. */
export async function writeRunFolder(
  tf: TF,
  model: LayersModel,
  experiment: ExperimentSpec,
  dir: string,
  dataset = { id: 'mnist', source: '/data/mnist', classNames: ['a', 'b', 'c', 'd'] },
) {
  await saveModelAtomic(tf, model, path.join(dir, 'model'), {
    'experiment.json': JSON.stringify(experiment, null, 2),
    'history.json': '[]',
    'classes.json': JSON.stringify(dataset.classNames),
  });
  await writeFile(
    path.join(dir, 'run.json'),
    JSON.stringify({ version: 1, name: path.basename(dir), experiment, dataset, status: 'finished' }),
  );
}
