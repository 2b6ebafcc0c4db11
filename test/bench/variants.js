// The models the benchmark trains, by their short name in the plan and the table. Every row trains with the
// same optimizer as the peers (Adam 1e-3, no augmentation, no schedule) so a row measures the model's step,
// not a preset's training choices: resnet20's own preset trains with SGD, which costs slightly less per step.
import { DEFAULT_TRAINING } from '../../dist/common/spec.js';
import { preset } from '../../dist/common/presets.js';

const PRESETS = { baseline: 'seed-baseline', batchnorm: 'seed-batchnorm', resnet20: 'resnet20' };
export const VARIANTS = Object.keys(PRESETS);

export function variantExperiment(variant) {
  const name = PRESETS[variant];
  if (!name) throw new Error(`unknown bench model "${variant}"; known: ${VARIANTS.join(', ')}`);
  const spec = preset(name);
  const { optimizer, learningRate, momentum, augmentation } = DEFAULT_TRAINING;
  const { learningRateSchedule: _schedule, ...training } = spec.training;
  return { ...spec, training: { ...training, optimizer, learningRate, momentum, augmentation } };
}
