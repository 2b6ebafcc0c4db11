/**
 * ReLU's gradient as TensorFlow's single ReluGrad op on the native backend.
 *
 * tfjs differentiates ReLU as dy * step(x): with tfjs-node that is a Step (itself several ops) and a
 * Multiply, each a full pass over the activations, where TensorFlow has one op, ReluGrad(dy, x) = dy
 * where x > 0, else 0. While recording gradients tfjs runs the ReLU of Conv2D and Dense as a separate
 * Relu op (it fuses activations only outside training), so overriding Relu's registered gradient covers
 * the seed CNN's five ReLUs. ReluGrad differs from the stock product only where x or dy is NaN or
 * infinite (0 where the product gives NaN); there the forward pass and the loss are NaN already, which
 * training reports as a failure.
 *
 * The gradient registry is global, not per backend, so the override checks at each use and keeps tfjs's
 * own gradient on other backends, for other dtypes and under LAYERBENCH_STOCK_KERNELS=1.
 */
import type { Tensor, TF } from './tf-types.js';

const RELU_GRAD = 'LayerbenchReluGrad';
const NATIVE = 'tensorflow';

interface NativeBackend {
  binding: { TF_ATTR_TYPE: number; TF_FLOAT: number };
  executeSingleOutput(name: string, attrs: { name: string; type: number; value: unknown }[], inputs: Tensor[]): Tensor;
}
type KernelArgs = { inputs: Record<string, unknown>; backend: unknown };
type KernelFunc = Parameters<TF['registerKernel']>[0]['kernelFunc'];
type GradConfig = NonNullable<ReturnType<TF['getGradient']>>;

function reluGrad({ inputs, backend }: KernelArgs): Tensor {
  const native = backend as NativeBackend;
  const attrs = [{ name: 'T', type: native.binding.TF_ATTR_TYPE, value: native.binding.TF_FLOAT }];
  return native.executeSingleOutput('ReluGrad', attrs, [inputs.dy as Tensor, inputs.x as Tensor]);
}

/** Registers the kernel and overrides Relu's gradient. Call once per tfjs instance, on native TensorFlow. */
export function registerNativeReluGrad(tf: TF): void {
  // Both registries are global: a second tfjs engine must not wrap the override in itself.
  if (tf.getKernel(RELU_GRAD, NATIVE)) return;
  const stock = tf.getGradient('Relu') as GradConfig | undefined;
  if (!stock) return;
  tf.registerKernel({ kernelName: RELU_GRAD, backendName: NATIVE, kernelFunc: reluGrad as unknown as KernelFunc });
  tf.registerGradient({
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const grad = Array.isArray(dy) ? dy[0] : dy;
      const useStock = tf.getBackend() !== NATIVE || x.dtype !== 'float32' || grad.dtype !== 'float32';
      if (useStock || process.env.LAYERBENCH_STOCK_KERNELS === '1') return stock.gradFunc(dy, saved, attrs);
      return { x: () => tf.engine().runKernel(RELU_GRAD, { dy: grad, x }) as Tensor };
    },
  });
}
