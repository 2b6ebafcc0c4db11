/**
 * The seed experiment series: a Keras CIFAR-10 CNN, then +Dropout, +BatchNormalization and both; and ResNet-20
 * (`presets-resnet.ts`). Presets adapt to a dataset's input shape and class count.
 */
import { resnet20 } from './presets-resnet.js';
import { DEFAULT_TRAINING, type ExperimentSpec, type LayerSpec, type TrainingSettings } from './spec.js';

export const PRESET_NAMES = ['seed-baseline', 'seed-dropout', 'seed-batchnorm', 'seed-both', 'resnet20'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export const PRESET_DESCRIPTIONS: Record<PresetName, string> = {
  'seed-baseline': 'Seed CNN: 4 Conv2D, 2 MaxPooling2D, Dense 512',
  'seed-dropout': 'Seed CNN + Dropout (0.25 after each pooling, 0.5 after Dense 512)',
  'seed-batchnorm': 'Seed CNN + BatchNormalization after each Conv2D',
  'seed-both': 'Seed CNN + Dropout + BatchNormalization',
  resnet20: 'He et al. 2016, CIFAR: 3 stages of 3 residual blocks, 16/32/64 filters; SGD',
};

export interface PresetTarget {
  inputShape: [number, number, number];
  numClasses: number;
}

export const CIFAR10_TARGET: PresetTarget = { inputShape: [32, 32, 3], numClasses: 10 };

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}

export function preset(name: PresetName, target: PresetTarget = CIFAR10_TARGET): ExperimentSpec {
  if (name === 'resnet20') return resnet20(target);
  const dropout = name === 'seed-dropout' || name === 'seed-both';
  const batchnorm = name === 'seed-batchnorm' || name === 'seed-both';
  const layers: LayerSpec[] = [];
  const conv = (filters: number, padding: 'same' | 'valid') => {
    layers.push({ type: 'Conv2D', filters, kernelSize: 3, padding, activation: 'relu' });
    if (batchnorm) layers.push({ type: 'BatchNormalization' });
  };
  const block = (filters: number) => {
    conv(filters, 'same');
    conv(filters, 'valid');
    layers.push({ type: 'MaxPooling2D', poolSize: 2 });
    if (dropout) layers.push({ type: 'Dropout', rate: 0.25 });
  };
  block(32);
  block(64);
  layers.push({ type: 'Flatten' });
  layers.push({ type: 'Dense', units: 512, activation: 'relu' });
  if (dropout) layers.push({ type: 'Dropout', rate: 0.5 });
  layers.push({ type: 'Dense', units: target.numClasses, activation: 'softmax' });
  return {
    model: { name, inputShape: [...target.inputShape], layers },
    training: { ...DEFAULT_TRAINING },
  };
}

/**
 * The settings after choosing a preset in the app: how the preset trains (optimizer, rate, momentum, batch,
 * augmentation, schedule) replaces the current ones, since resnet20's SGD at 0.1 and the seed CNN's Adam at
 * 0.001 do not suit each other's model; how long and on what (epochs, split, seed, monitor, early stopping)
 * stays the person's.
 */
export function withPresetTraining(current: TrainingSettings, name: PresetName, target: PresetTarget): TrainingSettings {
  const { optimizer, learningRate, momentum, batchSize, augmentation, learningRateSchedule } = preset(name, target).training;
  const { learningRateSchedule: _replaced, ...kept } = current;
  return {
    ...kept,
    optimizer,
    learningRate,
    momentum,
    batchSize,
    augmentation: { ...augmentation },
    ...(learningRateSchedule ? { learningRateSchedule: { ...learningRateSchedule } } : {}),
  };
}
