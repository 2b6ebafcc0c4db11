/** Small datasets and models for engine tests: real MNIST digits, few enough to train in seconds. */
import { loadBundledMnist } from '../../../main/data/bundled.js';
import type { Dataset } from '../../../main/data/dataset.js';
import { DEFAULT_TRAINING, type ExperimentSpec } from '../../../common/spec.js';

export async function tinyMnist(count: number): Promise<Dataset> {
  const full = await loadBundledMnist();
  const size = 28 * 28;
  return {
    ...full,
    id: `mnist-first-${count}`,
    train: { images: full.train.images.slice(0, count * size), labels: full.train.labels.slice(0, count), count },
  };
}

export function tinyExperiment(overrides: Partial<ExperimentSpec['training']> = {}): ExperimentSpec {
  return {
    model: {
      name: 'tiny',
      inputShape: [28, 28, 1],
      layers: [
        { type: 'Conv2D', filters: 4, kernelSize: 3, activation: 'relu' },
        { type: 'BatchNormalization' },
        { type: 'MaxPooling2D', poolSize: 2 },
        { type: 'Dropout', rate: 0.25 },
        { type: 'Flatten' },
        { type: 'Dense', units: 10, activation: 'softmax' },
      ],
    },
    training: { ...DEFAULT_TRAINING, epochs: 2, batchSize: 32, validationSplit: 0.25, ...overrides },
  };
}
