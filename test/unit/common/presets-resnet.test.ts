/**
 * The resnet20 preset (He et al. 2016, CIFAR variant): Keras's parameter count for exactly this architecture,
 * its stages and shortcuts, and the training settings it adapts to the dataset (no mirrored glyphs).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CIFAR10_TARGET, PRESET_DESCRIPTIONS, PRESET_NAMES, preset, withPresetTraining } from '../../../common/presets.js';
import { DEFAULT_TRAINING } from '../../../common/spec.js';
import { validateExperiment } from '../../../common/schema.js';
import { summarize } from '../../../common/summarize.js';

const MNIST_TARGET = { inputShape: [28, 28, 1] as [number, number, number], numClasses: 10 };

describe('resnet20 preset', () => {
  it('is listed with a description', () => {
    expect(PRESET_NAMES).toContain('resnet20');
    expect(PRESET_DESCRIPTIONS.resnet20).toMatch(/residual blocks/);
  });

  it('has the 274,042 parameters Keras counts for 32x32x3 and 10 classes, and is a valid spec', () => {
    const experiment = preset('resnet20', CIFAR10_TARGET);
    expect(validateExperiment(experiment).ok).toBe(true);
    const s = summarize(experiment.model, { numClasses: 10 });
    expect(s.errors).toEqual([]);
    expect(s.isChain).toBe(false);
    expect(s.totalParams).toBe(274_042);
    expect(s.nonTrainableParams).toBe(1_568);
    expect(s.outputShape).toEqual([10]);
  });

  it('stacks 19 3x3 Conv2D without bias, 9 Adds, and projects only the two downsampling shortcuts', () => {
    const { model } = preset('resnet20', CIFAR10_TARGET);
    const s = summarize(model);
    const convs = model.layers.filter((l) => l.type === 'Conv2D');
    expect(convs.filter((l) => l.kernelSize === 3)).toHaveLength(19);
    expect(convs.every((l) => l.useBias === false)).toBe(true);
    expect(model.layers.filter((l) => l.type === 'Add')).toHaveLength(9);
    const projections = convs.filter((l) => l.kernelSize === 1);
    expect(projections.map((l) => [l.name, l.filters, l.strides])).toEqual([
      ['stage2_block1_proj', 32, 2],
      ['stage3_block1_proj', 64, 2],
    ]);
    const shapeOf = (name: string) => s.layers.find((l) => l.name === name)?.outputShape;
    expect(shapeOf('stage1_block3_out')).toEqual([32, 32, 16]);
    expect(shapeOf('stage2_block3_out')).toEqual([16, 16, 32]);
    expect(shapeOf('stage3_block3_out')).toEqual([8, 8, 64]);
  });

  it('trains with SGD momentum 0.9, batch 128, shifts and flips for colour images', () => {
    const { training } = preset('resnet20', CIFAR10_TARGET);
    expect(training).toMatchObject({ optimizer: 'sgd', momentum: 0.9, learningRate: 0.1, batchSize: 128 });
    expect(training.augmentation).toEqual({ horizontalFlip: true, shiftPixels: 4 });
    expect(training.learningRateSchedule?.type).toBe('ReduceLROnPlateau');
  });

  it('adapts to one-channel digits: input and classes follow the dataset, and no horizontal flip', () => {
    const experiment = preset('resnet20', { ...MNIST_TARGET, numClasses: 7 });
    expect(experiment.model.inputShape).toEqual([28, 28, 1]);
    expect(experiment.training.augmentation).toEqual({ horizontalFlip: false, shiftPixels: 4 });
    const s = summarize(experiment.model);
    expect(s.errors).toEqual([]);
    expect(s.outputShape).toEqual([7]);
    // The stem reads 1 channel instead of 3 (2 x 9 x 16 fewer weights), the head has 3 fewer classes (3 x 65).
    expect(s.totalParams).toBe(274_042 - 2 * 9 * 16 - 3 * 65);
  });

  it('chosen in the app, brings its optimizer, batch, augmentation and schedule, and keeps epochs, split and seed', () => {
    const mine = { ...DEFAULT_TRAINING, epochs: 3, seed: 7, validationSplit: 0.1 };
    const resnet = withPresetTraining(mine, 'resnet20', MNIST_TARGET);
    expect(resnet).toMatchObject({
      optimizer: 'sgd',
      learningRate: 0.1,
      momentum: 0.9,
      batchSize: 128,
      epochs: 3,
      seed: 7,
      validationSplit: 0.1,
    });
    expect(resnet.augmentation.horizontalFlip).toBe(false);
    expect(resnet.learningRateSchedule?.type).toBe('ReduceLROnPlateau');
    // Back to a seed preset: Adam 0.001, batch 32, no schedule left behind.
    const seed = withPresetTraining(resnet, 'seed-batchnorm', MNIST_TARGET);
    expect(seed).toEqual({ ...DEFAULT_TRAINING, epochs: 3, seed: 7, validationSplit: 0.1 });
  });

  it("examples/resnet20-mnist-cosine.json is the MNIST preset with a CosineDecay over 10 epochs' 630 steps", () => {
    const example = JSON.parse(readFileSync('examples/resnet20-mnist-cosine.json', 'utf8')) as unknown;
    const checked = validateExperiment(example);
    expect(checked.ok).toBe(true);
    const mnist = preset('resnet20', MNIST_TARGET);
    expect(example).toEqual({
      ...mnist,
      training: { ...mnist.training, learningRateSchedule: { type: 'CosineDecay', decaySteps: 630, alpha: 0, warmupSteps: 0 } },
    });
  });
});
