/**
 * The training settings an imported Keras model carried (its `compile_config` in a `.keras` file, its
 * `training_config` in an `.h5` file), as far as Layerbench has them; Layerbench's defaults for the rest.
 */
import { DEFAULT_TRAINING, type TrainingSettings } from '../../common/spec.js';
import { scheduleFromKeras } from './keras-schedule.js';

const OPTIMIZERS: Record<string, TrainingSettings['optimizer']> = { adam: 'adam', sgd: 'sgd', rmsprop: 'rmsprop' };
const LOSSES: Record<string, TrainingSettings['loss']> = {
  categorical_crossentropy: 'categoricalCrossentropy',
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
};

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);

export function trainingFromKeras(config: unknown): TrainingSettings {
  const c = obj(config);
  const t: TrainingSettings = { ...DEFAULT_TRAINING, augmentation: { ...DEFAULT_TRAINING.augmentation } };
  if (!c) return t;
  const loss = typeof c.loss === 'string' ? LOSSES[c.loss] : undefined;
  if (loss) t.loss = loss;
  const opt = obj(c.optimizer) ?? obj(c.optimizer_config);
  const optimizer = typeof opt?.class_name === 'string' ? OPTIMIZERS[opt.class_name.toLowerCase()] : undefined;
  const oc = obj(opt?.config);
  if (optimizer) {
    t.optimizer = optimizer;
    if (typeof oc?.learning_rate === 'number' && oc.learning_rate > 0) t.learningRate = Number(oc.learning_rate.toPrecision(7));
    // ExponentialDecay and CosineDecay come along; another schedule leaves the default fixed rate.
    const scheduled = scheduleFromKeras(oc?.learning_rate);
    if (scheduled) Object.assign(t, { learningRate: scheduled.learningRate, learningRateSchedule: scheduled.schedule });
    if (optimizer !== 'adam' && typeof oc?.momentum === 'number' && oc.momentum >= 0 && oc.momentum < 1) t.momentum = oc.momentum;
  }
  return t;
}
