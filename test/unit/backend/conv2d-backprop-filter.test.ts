// The composed Conv2DBackpropFilter registered for wasm must match tfjs-backend-cpu's own kernel.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { registerComposedKernels, setBackpropFilterStrategy } from '../../../main/backend/index.js';
import type { BackpropFilterStrategy } from '../../../main/backend/index.js';
import { backendBuffers, maxAbs, maxAbsDiff, seeded, useCpu, useWasm } from './helpers.js';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

interface Case {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
  dilations?: [number, number];
}

const CASES: Case[] = [
  { name: '3x3 stride 1 same', x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: 'same' },
  { name: '3x3 stride 1 valid', x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: 'valid' },
  { name: '3x3 stride 2 same (odd input, asymmetric pad)', x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: [2, 2], pad: 'same' },
  { name: '3x3 stride 2 valid', x: [2, 8, 8, 3], filter: [3, 3, 3, 2], strides: [2, 2], pad: 'valid' },
  { name: '2x3 filter, stride [2,1], same', x: [1, 6, 5, 2], filter: [2, 3, 2, 3], strides: [2, 1], pad: 'same' },
  { name: '5x4 filter, stride [3,2], same', x: [1, 8, 9, 2], filter: [5, 4, 2, 3], strides: [3, 2], pad: 'same' },
  { name: '1x1 filter stride 2', x: [3, 6, 6, 4], filter: [1, 1, 4, 5], strides: [2, 2], pad: 'valid' },
  { name: 'numeric pad 1, stride 2', x: [2, 7, 7, 2], filter: [3, 3, 2, 2], strides: [2, 2], pad: 1 },
  {
    name: 'explicit pad',
    x: [2, 6, 6, 2],
    filter: [3, 3, 2, 3],
    strides: [1, 1],
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
  { name: 'dilation 2 same', x: [2, 9, 9, 2], filter: [3, 3, 2, 3], strides: [1, 1], pad: 'same', dilations: [2, 2] },
  { name: 'dilation [2,3] valid', x: [1, 10, 11, 3], filter: [3, 2, 3, 2], strides: [1, 1], pad: 'valid', dilations: [2, 3] },
  {
    name: 'dilation 2 with stride 2 (im2col path)',
    x: [2, 11, 11, 2],
    filter: [3, 3, 2, 2],
    strides: [2, 2],
    pad: 'same',
    dilations: [2, 2],
  },
];

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

function outShape(c: Case): number[] {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, c.dilations ?? 1, c.pad, undefined, false, 'channelsLast');
  return info.outShape;
}

/** dL/dW of L = sum(conv2d(x, W) * r) on the cpu backend's own kernels. */
function cpuReference(c: Case, xv: Float32Array, rv: Float32Array): Float32Array {
  const d = c.dilations ?? [1, 1];
  const [kh, kw, ci, co] = c.filter;
  if (d[0] === 1 && d[1] === 1) {
    return tf.tidy(() => {
      const x = tf.tensor4d(xv, c.x);
      const r = tf.tensor(rv, outShape(c));
      const w = tf.tensor4d(seeded(size(c.filter), 3), c.filter);
      const g = tf.grad((wt: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, wt as tf.Tensor4D, c.strides, c.pad), r)))(w);
      return g.dataSync() as Float32Array;
    });
  }
  // tfjs has no gradient for dilated conv2d on any backend. A dilated filter equals an undilated
  // filter with zeros between the taps; take that filter's gradient at the tap positions.
  const ekh = (kh - 1) * d[0] + 1;
  const ekw = (kw - 1) * d[1] + 1;
  const full = tf.tidy(() => {
    const x = tf.tensor4d(xv, c.x);
    const r = tf.tensor(rv, outShape(c));
    const wd = tf.zeros([ekh, ekw, ci, co]) as tf.Tensor4D;
    const g = tf.grad((wt: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, wt as tf.Tensor4D, c.strides, c.pad), r)))(wd);
    return g.arraySync() as number[][][][];
  });
  const out = new Float32Array(size(c.filter));
  let i = 0;
  for (let a = 0; a < kh; a++)
    for (let b = 0; b < kw; b++) for (let p = 0; p < ci; p++) for (let q = 0; q < co; q++) out[i++] = full[a * d[0]]![b * d[1]]![p]![q]!;
  return out;
}

function runKernel(c: Case, xv: Float32Array, rv: Float32Array, dataFormat: 'NHWC' | 'NCHW' = 'NHWC'): Float32Array {
  return tf.tidy(() => {
    let x = tf.tensor4d(xv, c.x);
    let dy = tf.tensor4d(rv, outShape(c) as [number, number, number, number]);
    if (dataFormat === 'NCHW') {
      x = tf.transpose(x, [0, 3, 1, 2]) as tf.Tensor4D;
      dy = tf.transpose(dy, [0, 3, 1, 2]);
    }
    const attrs = { strides: c.strides, pad: c.pad, dataFormat, filterShape: c.filter, dilations: c.dilations ?? [1, 1] };
    const out = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
    expect(out.shape).toEqual(c.filter);
    return out.dataSync() as Float32Array;
  });
}

describe('Conv2DBackpropFilter composed for wasm', () => {
  const refs = new Map<string, { xv: Float32Array; rv: Float32Array; ref: Float32Array }>();

  beforeAll(async () => {
    // References first, on tfjs-backend-cpu's own (untouched) kernel.
    await useCpu();
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')).toBeDefined();
    CASES.forEach((c, i) => {
      const xv = seeded(size(c.x), 100 + i);
      const rv = seeded(size(outShape(c)), 200 + i);
      refs.set(c.name, { xv, rv, ref: cpuReference(c, xv, rv) });
    });
    await useWasm();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined(); // tfjs#8474: still missing upstream
    expect(registerComposedKernels('wasm')).toContain('Conv2DBackpropFilter');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  for (const strategy of ['conv', 'im2col'] as BackpropFilterStrategy[]) {
    for (const c of CASES) {
      it(`${strategy}: ${c.name} matches cpu to 1e-5`, () => {
        const { xv, rv, ref } = refs.get(c.name)!;
        expect(maxAbs(ref)).toBeGreaterThan(0.1); // a meaningful reference, not all zeros
        setBackpropFilterStrategy(strategy);
        try {
          expect(tf.getBackend()).toBe('wasm');
          const before = backendBuffers();
          const got = runKernel(c, xv, rv);
          expect(backendBuffers()).toBe(before); // no intermediate leaks
          expect(maxAbsDiff(got, ref)).toBeLessThan(1e-5);
        } finally {
          setBackpropFilterStrategy('conv');
        }
      });
    }
  }

  it('NCHW input gives the NHWC result', () => {
    const c = CASES[2]!;
    const { xv, rv, ref } = refs.get(c.name)!;
    expect(maxAbsDiff(runKernel(c, xv, rv, 'NCHW'), ref)).toBeLessThan(1e-5);
  });

  it('is what tf.grad of conv2d uses on wasm (gradient path, not just the kernel)', () => {
    for (const c of CASES.filter((k) => !k.dilations)) {
      const { xv, rv, ref } = refs.get(c.name)!;
      const got = tf.tidy(() => {
        const x = tf.tensor4d(xv, c.x);
        const r = tf.tensor(rv, outShape(c));
        const w = tf.tensor4d(seeded(size(c.filter), 3), c.filter);
        return tf
          .grad((wt: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, wt as tf.Tensor4D, c.strides, c.pad), r)))(w)
          .dataSync();
      });
      expect(maxAbsDiff(got, ref), c.name).toBeLessThan(1e-5);
    }
  });

  // Runs last: it replaces the cpu kernel the references above came from.
  it("replaces the cpu backend's scalar-loop kernel with the same results", async () => {
    await useCpu();
    const original = tf.getKernel('Conv2DBackpropFilter', 'cpu')!.kernelFunc;
    expect(registerComposedKernels('cpu')).toEqual(['Conv2DBackpropFilter']);
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')!.kernelFunc).not.toBe(original);
    for (const c of CASES) {
      const { xv, rv, ref } = refs.get(c.name)!;
      expect(maxAbsDiff(runKernel(c, xv, rv), ref), c.name).toBeLessThan(1e-5);
    }
  });
});
