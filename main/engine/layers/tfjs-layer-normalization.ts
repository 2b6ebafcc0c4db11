/**
 * tfjs's LayerNormalization cannot train without its shift or its scale (`center: false` or `scale: false`:
 * its gradient reads the missing weight). This subclass computes the same normalization with plain ops,
 * whose gradients tfjs has, and is registered under the class's own name so saved models load as it too.
 */
import type { Tensor, TF } from '../tf-types.js';

interface LayerNormFields {
  epsilon: number;
  gamma: { read(): Tensor } | null;
  beta: { read(): Tensor } | null;
}
type LayerConstructor = new (args: Record<string, unknown>) => object;

const classes = new WeakMap<object, LayerConstructor>();

export function trainableLayerNormalization(tf: TF): LayerConstructor {
  const known = classes.get(tf.serialization);
  if (known) return known;
  const Base = tf.layers.layerNormalization({}).constructor as unknown as LayerConstructor & { className: string };
  class LayerNormalization extends Base {
    static override readonly className = Base.className;
    call(inputs: Tensor | Tensor[]): Tensor {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const { epsilon, gamma, beta } = this as unknown as LayerNormFields;
      return tf.tidy(() => {
        const { mean, variance } = tf.moments(x, -1, true);
        const normalized = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon)));
        const scaled = gamma ? tf.mul(normalized, gamma.read()) : normalized;
        return beta ? tf.add(scaled, beta.read()) : scaled;
      });
    }
  }
  tf.serialization.registerClass(LayerNormalization as unknown as Parameters<TF['serialization']['registerClass']>[0]);
  classes.set(tf.serialization, LayerNormalization);
  return LayerNormalization;
}
