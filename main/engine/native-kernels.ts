/**
 * Training kernels for the native TensorFlow backend (tfjs-node) that replace many small eager ops with
 * one fused TensorFlow op. Each eager op is a dispatch through the binding and a full pass over memory,
 * so in training the op count, not arithmetic, made BatchNormalization slow: the seed CNN ran 837 kernels
 * per batch with it and 389 without (580 and 364 with the fused batch norm and Step below; 385 and 281 also
 * with ReluGrad, native-relu-grad.ts, and the leaner Adam, native-adam.ts), and trained at half the speed.
 * Registered only for the 'tensorflow' backend; the other backends keep tfjs's own kernels.
 */
import { registerNativeReluGrad } from './native-relu-grad.js';
import type { Tensor, TF } from './tf-types.js';

/** Training-mode batch norm over NHWC: inputs {x, scale, offset}, attrs {epsilon}. */
export const BATCH_NORM_TRAINING = 'LayerbenchBatchNormTraining';
const BATCH_NORM_TRAINING_GRAD = 'LayerbenchBatchNormTrainingGrad';
const NATIVE = 'tensorflow';

/** The parts of tfjs-node's NodeJSKernelBackend these kernels use (it runs any TensorFlow op by name). */
interface NativeBackend {
  binding: { TF_ATTR_TYPE: number; TF_ATTR_FLOAT: number; TF_ATTR_STRING: number; TF_ATTR_BOOL: number; TF_FLOAT: number };
  executeMultipleOutputs(name: string, attrs: OpAttr[], inputs: Tensor[], numOutputs: number): Tensor[];
}
interface OpAttr {
  name: string;
  type: number;
  value: unknown;
}

function batchNormAttrs(backend: NativeBackend, epsilon: number): OpAttr[] {
  const b = backend.binding;
  return [
    { name: 'T', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT },
    { name: 'U', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT },
    { name: 'epsilon', type: b.TF_ATTR_FLOAT, value: epsilon },
    { name: 'data_format', type: b.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'is_training', type: b.TF_ATTR_BOOL, value: true },
  ];
}

type KernelArgs = { inputs: Record<string, unknown>; backend: unknown; attrs?: Record<string, unknown> };

/**
 * Outputs: [y, batchMean, batchVariance, reserve1, reserve2, reserve3]. batchVariance is the biased
 * (divide by n) variance, as tfjs-layers uses for its moving variance; TensorFlow's own output is
 * Bessel-corrected, so it is scaled back here. The reserves carry what the gradient op needs.
 */
function batchNormTraining(tf: TF, { inputs, backend, attrs }: KernelArgs): Tensor[] {
  const native = backend as NativeBackend;
  const x = inputs.x as Tensor;
  const epsilon = Number(attrs?.epsilon);
  const empty = tf.tensor1d([], 'float32');
  const operands = [x, inputs.scale as Tensor, inputs.offset as Tensor, empty, empty];
  const [y, mean, unbiased, r1, r2, r3] = native.executeMultipleOutputs('FusedBatchNormV3', batchNormAttrs(native, epsilon), operands, 6);
  empty.dispose();
  const n = x.size / (x.shape[3] ?? x.size);
  const variance = tf.mul(unbiased, (n - 1) / n);
  unbiased.dispose();
  return [y, mean, variance, r1, r2, r3];
}
function batchNormTrainingGrad({ inputs, backend, attrs }: KernelArgs): Tensor[] {
  const native = backend as NativeBackend;
  const names = ['dy', 'x', 'scale', 'reserve1', 'reserve2', 'reserve3'];
  const [dx, dScale, dOffset, r4, r5] = native.executeMultipleOutputs(
    'FusedBatchNormGradV3',
    batchNormAttrs(native, Number(attrs?.epsilon)),
    names.map((name) => inputs[name] as Tensor),
    5,
  );
  r4.dispose();
  r5.dispose();
  return [dx, dScale, dOffset];
}

/**
 * tfjs differentiates ReLU (fused into Conv2D and Dense) as dy * step(y), and tfjs-node's Step is six
 * full-size ops (IsNan, Greater, two fills, two Selects). For alpha 0, sign(relu(x)) is the same function,
 * NaN included, in two.
 */
function fastStep(tf: TF, stock: (args: KernelArgs) => unknown) {
  return (args: KernelArgs) => {
    const alpha = Number(args.attrs?.alpha ?? 0);
    const x = args.inputs.x as Tensor;
    if (alpha !== 0 || x.dtype !== 'float32') return stock(args);
    return tf.tidy(() => tf.sign(tf.relu(x)));
  };
}

const registered = new WeakSet<object>();

/**
 * Registers the kernels once per tfjs instance. Returns false (and changes nothing) when the backend is
 * not native TensorFlow, so callers keep the stock layers.
 */
export function ensureNativeKernels(tf: TF): boolean {
  // LAYERBENCH_STOCK_KERNELS=1 keeps tfjs's own kernels: the benchmark's before/after comparison.
  if (tf.getBackend() !== NATIVE || process.env.LAYERBENCH_STOCK_KERNELS === '1') return false;
  if (registered.has(tf.engine())) return true;
  type KernelFunc = Parameters<TF['registerKernel']>[0]['kernelFunc'];
  tf.registerKernel({
    kernelName: BATCH_NORM_TRAINING,
    backendName: NATIVE,
    kernelFunc: ((args: KernelArgs) => batchNormTraining(tf, args)) as unknown as KernelFunc,
  });
  tf.registerKernel({
    kernelName: BATCH_NORM_TRAINING_GRAD,
    backendName: NATIVE,
    kernelFunc: batchNormTrainingGrad as unknown as KernelFunc,
  });
  tf.registerGradient({
    kernelName: BATCH_NORM_TRAINING,
    inputsToSave: ['x', 'scale'],
    outputsToSave: [false, false, false, true, true, true],
    gradFunc: (dy, saved, attrs) => {
      // Only y feeds the loss; the batch mean and variance go to the moving statistics, outside the tape.
      const dyY = (Array.isArray(dy) ? dy[0] : dy) as Tensor;
      const [x, scale, reserve1, reserve2, reserve3] = saved;
      const grads = tf
        .engine()
        .runKernel(BATCH_NORM_TRAINING_GRAD, { dy: dyY, x, scale, reserve1, reserve2, reserve3 }, { epsilon: attrs.epsilon }) as Tensor[];
      return { x: () => grads[0], scale: () => grads[1], offset: () => grads[2] };
    },
  });
  const stockStep = tf.getKernel('Step', NATIVE);
  if (stockStep) {
    tf.unregisterKernel('Step', NATIVE);
    tf.registerKernel({
      ...stockStep,
      kernelFunc: fastStep(tf, stockStep.kernelFunc as unknown as (args: KernelArgs) => unknown) as unknown as KernelFunc,
    });
  }
  registerNativeReluGrad(tf);
  registered.add(tf.engine());
  return true;
}

/** Runs the fused training batch norm: [y, batchMean, batchVariance (biased)]. */
export function batchNormTrainingOp(tf: TF, x: Tensor, scale: Tensor, offset: Tensor, epsilon: number): [Tensor, Tensor, Tensor] {
  const out = tf.engine().runKernel(BATCH_NORM_TRAINING, { x, scale, offset }, { epsilon }) as Tensor[];
  return [out[0], out[1], out[2]];
}
