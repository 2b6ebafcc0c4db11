/**
 * BatchNormalization whose training step runs as TensorFlow's fused batch norm (one op forward, one
 * backward) on the native backend. tfjs-layers computes it from moments, a normalization and their
 * composed gradient: about 110 small ops per layer per batch, which made the seed CNN with
 * BatchNormalization 40-55% slower than without it.
 *
 * The layer is tfjs's own BatchNormalization class with only `call` in training mode replaced, so its
 * class name, config and weights (gamma, beta, moving_mean, moving_variance) are BatchNormalization's:
 * a saved model loads with stock tfjs or Keras. Inference and every other backend use the stock code.
 */
import { batchNormTrainingOp, ensureNativeKernels } from './native-kernels.js';
import type { Tensor, TF } from './tf-types.js';

type LayerArgs = Parameters<TF['layers']['batchNormalization']>[0];
type Layer = ReturnType<TF['layers']['batchNormalization']>;

interface Variable {
  read(): Tensor;
  write(value: Tensor): void;
}

/** What the subclass uses of tfjs-layers' BatchNormalization (its fields are public in the JS). */
interface StockBatchNorm {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: Variable;
  beta: Variable;
  movingMean: Variable;
  movingVariance: Variable;
  call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor | Tensor[];
}
type StockBatchNormClass = new (args?: LayerArgs) => StockBatchNorm;

const classes = new WeakMap<TF, StockBatchNormClass>();

/** The class tfjs deserializes 'BatchNormalization' to; subclassing it keeps serialization unchanged. */
function fastClass(tf: TF): StockBatchNormClass {
  const cached = classes.get(tf);
  if (cached) return cached;
  const entry = tf.serialization.SerializationMap.getMap().classNameMap.BatchNormalization as unknown[] | undefined;
  if (!entry) throw new Error('tfjs-layers has not registered BatchNormalization');
  const Stock = entry[0] as StockBatchNormClass;

  class FastBatchNormalization extends Stock {
    // getClassName() reads this: saved models name the stock layer.
    static className = 'BatchNormalization';

    override call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor | Tensor[] {
      const input = Array.isArray(inputs) ? inputs[0] : inputs;
      const fusable =
        kwargs.training === true &&
        input.rank === 4 &&
        input.dtype === 'float32' &&
        (this.axis === -1 || this.axis === 3) &&
        this.center &&
        this.scale &&
        input.size / (input.shape[3] ?? input.size) > 1 &&
        tf.getBackend() === 'tensorflow';
      if (!fusable) return super.call(inputs, kwargs);
      return tf.tidy(() => {
        const [y, mean, variance] = batchNormTrainingOp(tf, input, this.gamma.read(), this.beta.read(), this.epsilon);
        // The same moving-average update, in the same order, as the stock layer.
        for (const [variable, value] of [
          [this.movingMean, mean],
          [this.movingVariance, variance],
        ] as const) {
          tf.tidy(() => {
            const old = variable.read();
            variable.write(tf.sub(old, tf.mul(tf.sub(old, value), 1 - this.momentum)));
          });
        }
        return y;
      });
    }
  }
  classes.set(tf, FastBatchNormalization);
  return FastBatchNormalization;
}

/**
 * A BatchNormalization layer: the fused-training one on native TensorFlow, tfjs's stock one elsewhere
 * (or when the fused kernels cannot be registered).
 */
export function batchNormalizationLayer(tf: TF, args: LayerArgs): Layer {
  if (!ensureNativeKernels(tf)) return tf.layers.batchNormalization(args);
  const Fast = fastClass(tf);
  return new Fast(args) as unknown as Layer;
}
