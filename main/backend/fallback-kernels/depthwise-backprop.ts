// DepthwiseConv2dNativeBackpropFilter / ...BackpropInput composed from existing kernels
// (tfjs-backend-wasm 4.22 has neither, so DepthwiseConv2D / SeparableConv2D layers cannot train on wasm).
// Filter layout [kh, kw, C, M] (M = channel multiplier); dy has C*M channels, channel c*M + m.
import { backend_util } from '@tensorflow/tfjs';
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { composed, KernelScope } from './compose.js';

interface Attrs {
  strides: [number, number] | number;
  dilations: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function info(xShape: number[], filterShape: number[], a: Attrs) {
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    true,
    'channelsLast',
  );
}

/** dW[a,b,c,m] = sum_{n,i,j} xPadded[n, a*dh + i*sh, b*dw + j*sw, c] * dy[n, i, j, c*M + m] */
function backpropFilter(s: KernelScope, x: TensorInfo, dy: TensorInfo, attrs: Attrs & { filterShape: number[] }): TensorInfo {
  const ci = info(x.shape, attrs.filterShape, attrs);
  const { batchSize: n, inHeight, inWidth, inChannels: c, outHeight: ho, outWidth: wo } = ci;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = ci;
  const m = attrs.filterShape[3] as number;
  const p = n * ho * wo;
  const needH = (kh - 1) * dh + (ho - 1) * sh + 1;
  const needW = (kw - 1) * dw + (wo - 1) * sw + 1;
  const { top, left } = ci.padInfo;
  const xp = s.pad(x, [
    [0, 0],
    [top, Math.max(0, needH - inHeight - top)],
    [left, Math.max(0, needW - inWidth - left)],
    [0, 0],
  ]);
  const cols: TensorInfo[] = [];
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const sl = s.stridedSlice(xp, [0, a * dh, b * dw, 0], [n, a * dh + (ho - 1) * sh + 1, b * dw + (wo - 1) * sw + 1, c], [1, sh, sw, 1]);
      cols.push(s.reshape(sl, [p, 1, c]));
    }
  }
  const patches = s.transpose(s.concat(cols, 1), [2, 1, 0]); // [C, K, P]
  const dyt = s.transpose(s.reshape(dy, [p, c, m]), [1, 0, 2]); // [C, P, M]
  const g = s.matMul(patches, dyt, false, false); // [C, K, M]
  return s.reshape(s.transpose(g, [1, 0, 2]), [kh, kw, c, m]);
}

/** dx[n, y, x, c] = sum over taps (a,b) and outputs (i,j) reading (y, x) of dy[n,i,j,c*M+m] * w[a,b,c,m] */
function backpropInput(s: KernelScope, dy: TensorInfo, filter: TensorInfo, attrs: Attrs & { inputShape: number[] }): TensorInfo {
  const ci = info(attrs.inputShape, filter.shape, attrs);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: ho, outWidth: wo } = ci;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = ci;
  const m = filter.shape[3] as number;
  const k = kh * kw;
  const p = n * ho * wo;
  const { top, left } = ci.padInfo;
  // t[k] = sum_m dy[..., c*M+m] * w[k, c, m] for every tap k at once: [C,P,M] x [C,M,K] -> [C,P,K].
  const dyt = s.transpose(s.reshape(dy, [p, c, m]), [1, 0, 2]);
  const wt = s.transpose(s.reshape(filter, [k, c, m]), [1, 2, 0]);
  const t = s.reshape(s.transpose(s.matMul(dyt, wt, false, false), [1, 2, 0]), [n, ho, wo, k, c]); // [N,Ho,Wo,K,C]
  // Output (i, j) of tap (a, b) read padded input (a*dh + i*sh, b*dw + j*sw): scatter it back there.
  const hp = Math.max(top + h, (kh - 1) * dh + (ho - 1) * sh + 1);
  const wp = Math.max(left + w, (kw - 1) * dw + (wo - 1) * sw + 1);
  let acc: TensorInfo | undefined;
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const tap = s.reshape(s.slice(t, [0, 0, 0, a * kw + b, 0], [n, ho, wo, 1, c]), [n, ho, wo, c]);
      const placed = s.placeStrided(tap, sh, sw, a * dh, b * dw, hp, wp);
      acc = acc ? s.add(acc, placed) : placed;
    }
  }
  return s.slice(acc as TensorInfo, [0, top, left, 0], [n, h, w, c]);
}

export function depthwiseBackpropFilterConfig(backendName: string): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    return composed(backend as KernelBackend, backendName, (s) =>
      backpropFilter(s, x, dy, attrs as unknown as Attrs & { filterShape: number[] }),
    );
  };
  return { kernelName: 'DepthwiseConv2dNativeBackpropFilter', backendName, kernelFunc };
}

export function depthwiseBackpropInputConfig(backendName: string): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    return composed(backend as KernelBackend, backendName, (s) =>
      backpropInput(s, dy, filter, attrs as unknown as Attrs & { inputShape: number[] }),
    );
  };
  return { kernelName: 'DepthwiseConv2dNativeBackpropInput', backendName, kernelFunc };
}
