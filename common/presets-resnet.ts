/**
 * ResNet-20, the CIFAR-10 network of He et al. (2016, section 4.2): a 3x3 Conv2D(16) + BatchNormalization +
 * ReLU stem, three stages of three residual blocks with 16, 32 and 64 filters (the first block of stages 2 and
 * 3 halves the size with strides 2 and a 1x1-projection shortcut), GlobalAveragePooling2D and a softmax Dense.
 * For 32x32x3 and 10 classes it has 274,042 parameters, as Keras counts this exact model.
 */
import { residualBlock } from './blocks/residual-block.js';
import type { PresetTarget } from './presets.js';
import { DEFAULT_TRAINING, type ExperimentSpec, type LayerSpec, type TrainingSettings } from './spec.js';

const STAGE_FILTERS = [16, 32, 64] as const;
const BLOCKS_PER_STAGE = 3;

/**
 * The paper's optimizer (SGD, momentum 0.9, rate 0.1, batch 128) and its augmentation (4-pixel shifts and
 * horizontal flips). The paper divides the rate by 10 at fixed iterations of a 64k-step run; a preset does not
 * know the dataset's size, so ReduceLROnPlateau divides it when the validation loss stalls instead.
 */
export function resnetTraining(target: PresetTarget): TrainingSettings {
  // A mirrored digit or letter is another symbol (or none): flip only colour photos, where a mirrored cat is
  // still a cat. One-channel data here is MNIST-like glyphs.
  const horizontalFlip = target.inputShape[2] === 3;
  return {
    ...DEFAULT_TRAINING,
    optimizer: 'sgd',
    learningRate: 0.1,
    momentum: 0.9,
    batchSize: 128,
    augmentation: { horizontalFlip, shiftPixels: 4 },
    learningRateSchedule: { type: 'ReduceLROnPlateau', factor: 0.1, patience: 2, minDelta: 1e-4, cooldown: 0, minLr: 1e-4 },
  };
}

export function resnet20(target: PresetTarget): ExperimentSpec {
  const layers: LayerSpec[] = [
    { type: 'Conv2D', filters: 16, kernelSize: 3, padding: 'same', useBias: false, name: 'stem_conv' },
    { type: 'BatchNormalization', name: 'stem_bn' },
    { type: 'Activation', activation: 'relu', name: 'stem_relu' },
  ];
  let input = 'stem_relu';
  let channels = 16;
  STAGE_FILTERS.forEach((filters, stage) => {
    for (let block = 0; block < BLOCKS_PER_STAGE; block++) {
      const prefix = `stage${stage + 1}_block${block + 1}`;
      const strides = stage > 0 && block === 0 ? 2 : 1;
      layers.push(...residualBlock({ prefix, input, inputChannels: channels, filters, strides }));
      input = `${prefix}_out`;
      channels = filters;
    }
  });
  layers.push(
    { type: 'GlobalAveragePooling2D', name: 'avg_pool', inputs: [input] },
    { type: 'Dense', units: target.numClasses, activation: 'softmax', name: 'predictions' },
  );
  return {
    model: { name: 'resnet20', inputShape: [...target.inputShape], layers },
    training: resnetTraining(target),
  };
}
