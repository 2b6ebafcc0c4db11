/**
 * Activation names as tfjs takes them. tfjs knows every Layerbench activation by name except Keras's
 * `leaky_relu` (negative slope 0.2), which is registered with tfjs's serialization here, once per tfjs, so a
 * layer built with it and a saved model naming it both load.
 */
import type { Activation } from '../../../common/layers/basics.js';
import { KERAS_LEAKY_RELU_SLOPE } from '../../../common/layers/basics.js';
import type { TF, Tensor } from '../tf-types.js';
import { trainableLayerNormalization } from './tfjs-layer-normalization.js';

const registered = new WeakSet<object>();

type TfActivation = NonNullable<Parameters<TF['layers']['dense']>[0]['activation']>;

function registerLeakyRelu(tf: TF): void {
  if (registered.has(tf.serialization)) return;
  // tfjs turns snake_case names in a saved model's JSON into camelCase when it loads one: both are registered.
  for (const name of ['leaky_relu', 'leakyRelu']) {
    class LeakyReluActivation extends tf.serialization.Serializable {
      static className = name;
      override getClassName(): string {
        return name;
      }
      apply(x: Tensor): Tensor {
        return tf.leakyRelu(x, KERAS_LEAKY_RELU_SLOPE);
      }
      getConfig() {
        return {};
      }
    }
    tf.serialization.registerClass(LeakyReluActivation);
  }
  registered.add(tf.serialization);
}

/** The tfjs name of an activation (undefined: linear), registering the ones tfjs lacks. */
export function tfjsActivation(tf: TF, activation: Activation | undefined): TfActivation {
  if (activation === 'leaky_relu') registerLeakyRelu(tf);
  return (activation ?? 'linear') as TfActivation;
}

/**
 * Makes every activation and layer class Layerbench may have saved loadable by tfjs, as Layerbench builds
 * them (before tf.loadLayersModel).
 */
export function registerTfjsClasses(tf: TF): void {
  registerLeakyRelu(tf);
  trainableLayerNormalization(tf);
}
