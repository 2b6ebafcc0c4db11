// MaxPoolGrad composed from existing kernels. tfjs-backend-wasm 4.22's own MaxPoolGrad returns wrong
// gradients whenever batch > 1 or channels > 1 (checked against tfjs-backend-cpu and native
// TensorFlow, which agree; see test/unit/backend/wasm-training.test.ts), so CNNs with MaxPooling
// silently train wrongly on wasm. This replaces it.
//
// For every window tap (a, b): mask = (xPadded at the tap == max) and no earlier tap of the window
// was already the max (TensorFlow routes the gradient to the first maximum, row-major); the tap's
// dy * mask is scattered back to the input positions it was read from.
import { backend_util } from '@tensorflow/tfjs';
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { composed, KernelScope } from './compose.js';

interface Attrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function maxPoolGrad(s: KernelScope, dy: TensorInfo, input: TensorInfo, output: TensorInfo | undefined, attrs: Attrs): TensorInfo {
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: ho, outWidth: wo } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const kh = info.effectiveFilterHeight;
  const kw = info.effectiveFilterWidth;
  const { top, left } = info.padInfo;
  const hp = Math.max(top + h, (kh - 1) * dh + (ho - 1) * sh + 1);
  const wp = Math.max(left + w, (kw - 1) * dw + (wo - 1) * sw + 1);
  // Padding never wins the max.
  const xp = s.pad(
    input,
    [
      [0, 0],
      [top, hp - top - h],
      [left, wp - left - w],
      [0, 0],
    ],
    -Infinity,
  );
  const y =
    output ??
    s.run(
      'MaxPool',
      { x: input },
      { filterSize: attrs.filterSize, strides: attrs.strides, pad: attrs.pad, dimRoundingMode: attrs.dimRoundingMode },
    );
  let taken: TensorInfo | undefined; // 1 where an earlier tap was the max
  let acc: TensorInfo | undefined;
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const tap = s.stridedSlice(xp, [0, a, b, 0], [n, a + (ho - 1) * sh + 1, b + (wo - 1) * sw + 1, c], [1, sh, sw, 1]);
      let mask = s.run('Cast', { x: s.run('Equal', { a: tap, b: y }) }, { dtype: 'float32' });
      if (taken) mask = s.run('Maximum', { a: s.sub(mask, taken), b: s.run('ZerosLike', { x: mask }) });
      taken = taken ? s.add(taken, mask) : mask;
      const placed = s.placeStrided(s.mul(mask, dy), sh, sw, a, b, hp, wp);
      acc = acc ? s.add(acc, placed) : placed;
    }
  }
  return s.slice(acc as TensorInfo, [0, top, left, 0], [n, h, w, c]);
}

export function maxPoolGradConfig(backendName: string): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const { dy, input, output } = inputs as { dy: TensorInfo; input: TensorInfo; output?: TensorInfo };
    return composed(backend as KernelBackend, backendName, (s) => maxPoolGrad(s, dy, input, output, attrs as unknown as Attrs));
  };
  return { kernelName: 'MaxPoolGrad', backendName, kernelFunc };
}
