// Conv2DBackpropFilter composed from kernels every backend has (tfjs-backend-wasm 4.22 lacks it:
// tfjs#8474, so the gradient of every Conv2D layer fails on wasm; tfjs-backend-cpu has it, but as a
// scalar loop that is ~15x slower than this formulation).
//
//   dW[a, b, ci, co] = sum_{n,i,j} xPadded[n, a*dh + i*sh, b*dw + j*sw, ci] * dy[n, i, j, co]
//
// Strategies (picked by measurement, see NOTES.md):
//  - 'conv':   the sum above is itself a convolution: with the batch moved into the channels,
//              conv2d(transpose(xPadded) [Cin,Hp,Wp,N], transpose(dy) [Ho,Wo,N,Cout]) using
//              dilation = stride (or stride = dilation) gives dW after one slice + transpose.
//              Needs stride == 1 or dilation == 1 (tfjs conv2d cannot do both).
//  - 'im2col': for every filter offset (a, b) a strided slice of xPadded [N,Ho,Wo,Cin]; the slices are
//              concatenated to [N*Ho*Wo, kh*kw*Cin] and multiplied with dy [N*Ho*Wo, Cout] in one
//              matMul (transposeA). Chunked over the batch to bound memory.
// Supports strides, 'same'/'valid'/explicit/numeric padding, NHWC and NCHW, and — beyond what
// tfjs-core's gradient passes today — an optional `dilations` attribute.
import { backend_util } from '@tensorflow/tfjs';
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { composed, KernelScope } from './compose.js';

export type BackpropFilterStrategy = 'conv' | 'im2col';

interface Attrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
  dilations?: [number, number] | number;
}

/** Max floats in one im2col buffer (64 MiB). */
const IM2COL_CHUNK_FLOATS = 16 * 1024 * 1024;

function conv2dBackpropFilterImpl(
  s: KernelScope,
  x: TensorInfo,
  dy: TensorInfo,
  attrs: Attrs,
  strategy: BackpropFilterStrategy,
): TensorInfo {
  if (x.shape.length !== 4 || dy.shape.length !== 4) throw new Error('Conv2DBackpropFilter expects rank-4 x and dy');
  const nchw = attrs.dataFormat === 'NCHW';
  const xh = nchw ? s.transpose(x, [0, 2, 3, 1]) : x;
  const dyh = nchw ? s.transpose(dy, [0, 2, 3, 1]) : dy;
  const info = backend_util.computeConv2DInfo(
    xh.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize: n, inHeight, inWidth, inChannels: cin, outChannels: cout, outHeight: ho, outWidth: wo } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  if (dyh.shape[1] !== ho || dyh.shape[2] !== wo || dyh.shape[3] !== cout)
    throw new Error(`Conv2DBackpropFilter: dy shape ${dyh.shape} does not match the output shape [${n},${ho},${wo},${cout}]`);
  const { top, left } = info.padInfo;
  // Rows/cols of the padded input that any filter tap reads.
  const needH = (kh - 1) * dh + (ho - 1) * sh + 1;
  const needW = (kw - 1) * dw + (wo - 1) * sw + 1;
  const xp = s.pad(xh, [
    [0, 0],
    [top, Math.max(0, needH - inHeight - top)],
    [left, Math.max(0, needW - inWidth - left)],
    [0, 0],
  ]);

  const canConv = (sh === 1 && sw === 1) || (dh === 1 && dw === 1);
  if (strategy === 'conv' && canConv) {
    const xt = s.transpose(xp, [3, 1, 2, 0]); // [Cin, Hp, Wp, N]
    const ft = s.transpose(dyh, [1, 2, 0, 3]); // [Ho, Wo, N, Cout]
    // Output position a reads xPadded rows a*dh + i*sh: conv stride = filter dilation, conv dilation = stride.
    const r = s.conv2d(xt, ft, [dh, dw], [sh, sw]); // [Cin, >=kh, >=kw, Cout]
    const cut = r.shape[1] === kh && r.shape[2] === kw ? r : s.slice(r, [0, 0, 0, 0], [cin, kh, kw, cout]);
    return s.transpose(cut, [1, 2, 0, 3]);
  }

  // im2col, chunked over the batch.
  const perSample = ho * wo * kh * kw * cin;
  const chunk = Math.max(1, Math.min(n, Math.floor(IM2COL_CHUNK_FLOATS / Math.max(1, perSample))));
  let acc: TensorInfo | undefined;
  for (let b0 = 0; b0 < n; b0 += chunk) {
    const nb = Math.min(chunk, n - b0);
    const cols: TensorInfo[] = [];
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        cols.push(
          s.stridedSlice(
            xp,
            [b0, a * dh, b * dw, 0],
            [b0 + nb, a * dh + (ho - 1) * sh + 1, b * dw + (wo - 1) * sw + 1, cin],
            [1, sh, sw, 1],
          ),
        );
      }
    }
    const patches = s.reshape(s.concat(cols, 3), [1, nb * ho * wo, kh * kw * cin]);
    const dyChunk = nb === n ? dyh : s.slice(dyh, [b0, 0, 0, 0], [nb, ho, wo, cout]);
    const g = s.matMul(patches, s.reshape(dyChunk, [1, nb * ho * wo, cout]), true, false); // [1, kh*kw*Cin, Cout]
    acc = acc ? s.add(acc, g) : g;
  }
  return s.reshape(acc as TensorInfo, [kh, kw, cin, cout]);
}

// 'conv' measured 62.5 vs 36.2 samples/s (wasm) and 8.5 vs 3.1 (cpu) on the CIFAR CNN; see NOTES.md.
let defaultStrategy: BackpropFilterStrategy = 'conv';

/** Changes the strategy used by registered kernels (benchmarks and tests). */
export function setBackpropFilterStrategy(strategy: BackpropFilterStrategy): void {
  defaultStrategy = strategy;
}

export function conv2dBackpropFilterConfig(backendName: string, strategy?: BackpropFilterStrategy): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    return composed(backend as KernelBackend, backendName, (s) =>
      conv2dBackpropFilterImpl(s, x, dy, attrs as unknown as Attrs, strategy ?? defaultStrategy),
    );
  };
  return { kernelName: 'Conv2DBackpropFilter', backendName, kernelFunc };
}
