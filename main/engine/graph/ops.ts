/**
 * TensorFlow ops for graph building, with their attributes spelled out (a GraphDef node must carry its
 * type attributes; nothing is inferred). Float32 throughout, int32 for shapes and indices.
 */
import type { AttrValue, GraphBuilder, Out } from './graph-def.js';

const F: Record<string, AttrValue> = { T: { type: 'float' } };
const NHWC: AttrValue = { s: 'NHWC' };

export interface Window {
  /** [height, width] of the kernel or pooling window (pooling only). */
  size?: [number, number];
  strides: [number, number];
  padding: 'SAME' | 'VALID';
  /** [height, width] dilation of a convolution's kernel (absent: 1, no dilation). */
  dilations?: [number, number];
}

export class Ops {
  constructor(readonly g: GraphBuilder) {}

  private f(op: string, inputs: Out[], extra: Record<string, AttrValue> = {}): Out {
    return this.g.op(op, inputs, { ...F, ...extra });
  }

  scalar(value: number): Out {
    return this.g.scalar(value);
  }
  ints(values: readonly number[]): Out {
    return this.g.const(values, [values.length], 'int32');
  }

  add = (a: Out, b: Out) => this.f('AddV2', [a, b]);
  sub = (a: Out, b: Out) => this.f('Sub', [a, b]);
  mul = (a: Out, b: Out) => this.f('Mul', [a, b]);
  div = (a: Out, b: Out) => this.f('RealDiv', [a, b]);
  maximum = (a: Out, b: Out) => this.f('Maximum', [a, b]);
  neg = (a: Out) => this.f('Neg', [a]);
  sqrt = (a: Out) => this.f('Sqrt', [a]);
  log = (a: Out) => this.f('Log', [a]);
  floor = (a: Out) => this.f('Floor', [a]);
  sigmoid = (a: Out) => this.f('Sigmoid', [a]);

  /** Elementwise op by name with the float type attribute (activations and their gradients). */
  unary(op: string, ...inputs: Out[]): Out {
    return this.f(op, inputs);
  }

  sum(x: Out, axes: readonly number[], keepDims: boolean): Out {
    return this.f('Sum', [x, this.ints(axes)], { Tidx: { type: 'int32' }, keep_dims: { b: keepDims } });
  }
  mean(x: Out, axes: readonly number[], keepDims: boolean): Out {
    return this.f('Mean', [x, this.ints(axes)], { Tidx: { type: 'int32' }, keep_dims: { b: keepDims } });
  }
  shape(x: Out): Out {
    return this.f('Shape', [x], { out_type: { type: 'int32' } });
  }
  /** Number of elements, as a float scalar. */
  sizeFloat(x: Out): Out {
    return this.castToFloat(this.f('Size', [x], { out_type: { type: 'int32' } }), 'int32');
  }
  reshape(x: Out, shape: Out): Out {
    return this.f('Reshape', [x, shape], { Tshape: { type: 'int32' } });
  }
  broadcastTo(x: Out, shape: Out): Out {
    return this.f('BroadcastTo', [x, shape], { Tidx: { type: 'int32' } });
  }
  castToFloat(x: Out, from: 'int32' | 'bool'): Out {
    return this.g.op('Cast', [x], { SrcT: { type: from }, DstT: { type: 'float' }, Truncate: { b: false } });
  }
  castFloatToInt(x: Out): Out {
    return this.g.op('Cast', [x], { SrcT: { type: 'float' }, DstT: { type: 'int32' }, Truncate: { b: false } });
  }
  greaterEqual = (a: Out, b: Out) => this.f('GreaterEqual', [a, b]);
  lessEqual = (a: Out, b: Out) => this.f('LessEqual', [a, b]);
  logicalAnd = (a: Out, b: Out) => this.g.op('LogicalAnd', [a, b]);
  clip(x: Out, lo: number, hi: number): Out {
    return this.f('ClipByValue', [x, this.scalar(lo), this.scalar(hi)]);
  }
  /** 1.0 where lo <= x <= hi, else 0.0: the gradient mask of clip. */
  insideMask(x: Out, lo: number, hi: number): Out {
    return this.castToFloat(this.logicalAnd(this.greaterEqual(x, this.scalar(lo)), this.lessEqual(x, this.scalar(hi))), 'bool');
  }
  argmax(x: Out): Out {
    return this.f('ArgMax', [x, this.g.scalar(-1, 'int32')], { Tidx: { type: 'int32' }, output_type: { type: 'int32' } });
  }
  equalInt(a: Out, b: Out): Out {
    return this.g.op('Equal', [a, b], { T: { type: 'int32' }, incompatible_shape_error: { b: true } });
  }
  oneHot(indices: Out, depth: number): Out {
    return this.g.op('OneHot', [indices, this.g.scalar(depth, 'int32'), this.scalar(1), this.scalar(0)], {
      T: { type: 'float' },
      TI: { type: 'int32' },
      axis: { i: -1 },
    });
  }
  randomUniform(shape: Out, seed: Out): Out {
    return this.g.op('StatelessRandomUniform', [shape, seed], { dtype: { type: 'float' }, T: { type: 'int32' }, Tseed: { type: 'int32' } });
  }

  private convAttrs(w: Window): Record<string, AttrValue> {
    return {
      strides: { ints: [1, w.strides[0], w.strides[1], 1] },
      padding: { s: w.padding },
      data_format: NHWC,
      dilations: { ints: [1, ...(w.dilations ?? [1, 1]), 1] },
      use_cudnn_on_gpu: { b: true },
      explicit_paddings: { ints: [] },
    };
  }
  /** DepthwiseConv2dNative and its gradients take the same attributes as Conv2D, less use_cudnn_on_gpu. */
  private depthwiseAttrs(w: Window): Record<string, AttrValue> {
    const { use_cudnn_on_gpu: _unused, ...attrs } = this.convAttrs(w);
    return attrs;
  }
  depthwiseConv2d(x: Out, w: Out, win: Window): Out {
    return this.f('DepthwiseConv2dNative', [x, w], this.depthwiseAttrs(win));
  }
  depthwiseConv2dBackpropFilter(x: Out, filterShape: readonly number[], dy: Out, win: Window): Out {
    return this.f('DepthwiseConv2dNativeBackpropFilter', [x, this.ints(filterShape), dy], this.depthwiseAttrs(win));
  }
  depthwiseConv2dBackpropInput(xShape: Out, w: Out, dy: Out, win: Window): Out {
    return this.f('DepthwiseConv2dNativeBackpropInput', [xShape, w, dy], this.depthwiseAttrs(win));
  }
  conv2d(x: Out, w: Out, win: Window): Out {
    return this.f('Conv2D', [x, w], this.convAttrs(win));
  }
  conv2dBackpropFilter(x: Out, filterShape: readonly number[], dy: Out, win: Window): Out {
    return this.f('Conv2DBackpropFilter', [x, this.ints(filterShape), dy], this.convAttrs(win));
  }
  conv2dBackpropInput(xShape: Out, w: Out, dy: Out, win: Window): Out {
    return this.f('Conv2DBackpropInput', [xShape, w, dy], this.convAttrs(win));
  }
  biasAdd(x: Out, b: Out): Out {
    return this.f('BiasAdd', [x, b], { data_format: NHWC });
  }
  biasAddGrad(dy: Out): Out {
    return this.f('BiasAddGrad', [dy], { data_format: NHWC });
  }
  matMul(a: Out, b: Out, transposeA = false, transposeB = false): Out {
    return this.f('MatMul', [a, b], { transpose_a: { b: transposeA }, transpose_b: { b: transposeB } });
  }

  private poolAttrs(w: Window): Record<string, AttrValue> {
    const [h, v] = w.size ?? [1, 1];
    return {
      ksize: { ints: [1, h, v, 1] },
      strides: { ints: [1, w.strides[0], w.strides[1], 1] },
      padding: { s: w.padding },
      data_format: NHWC,
    };
  }
  maxPool(x: Out, win: Window): Out {
    return this.f('MaxPool', [x], this.poolAttrs(win));
  }
  maxPoolGrad(x: Out, y: Out, dy: Out, win: Window): Out {
    return this.f('MaxPoolGrad', [x, y, dy], this.poolAttrs(win));
  }
  avgPool(x: Out, win: Window): Out {
    return this.f('AvgPool', [x], this.poolAttrs(win));
  }
  avgPoolGrad(xShape: Out, dy: Out, win: Window): Out {
    return this.f('AvgPoolGrad', [xShape, dy], this.poolAttrs(win));
  }

  private bnAttrs(epsilon: number, training = true): Record<string, AttrValue> {
    return { U: { type: 'float' }, epsilon: { f: epsilon }, data_format: NHWC, is_training: { b: training } };
  }
  /**
   * Fused batch norm: [y, batchMean, batchVariance (Bessel-corrected), reserve1..3]. Training mode
   * normalizes with the batch's statistics; given `moving` [mean, variance], inference mode uses those.
   */
  fusedBatchNorm(x: Out, scale: Out, offset: Out, epsilon: number, moving?: [Out, Out]): Out[] {
    const empty = moving ? undefined : this.g.const([], [0]);
    const [mean, variance] = moving ?? [empty!, empty!];
    return this.g.ops('FusedBatchNormV3', [x, scale, offset, mean, variance], 6, {
      ...F,
      // exponential_avg_factor keeps its default (1: no running average in the op), which also keeps
      // the graph loadable by TensorFlow versions older than the attribute.
      ...this.bnAttrs(epsilon, !moving),
    });
  }
  /** [dx, dScale, dOffset]. */
  fusedBatchNormGrad(dy: Out, x: Out, scale: Out, reserves: Out[], epsilon: number): Out[] {
    return this.g.ops('FusedBatchNormGradV3', [dy, x, scale, ...reserves], 5, { ...F, ...this.bnAttrs(epsilon) }).slice(0, 3);
  }
}
