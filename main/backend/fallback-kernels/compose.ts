// Helpers to write a kernel for one backend out of that backend's own registered kernels.
// Intermediate results are TensorInfos the engine does not track, so they are released here
// with backend.disposeData (which honours the reference counts Reshape & co. add).
import { getKernel } from '@tensorflow/tfjs';
import type { KernelBackend, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';

export class KernelScope {
  private readonly temps: TensorInfo[] = [];

  constructor(
    readonly backend: KernelBackend,
    readonly backendName: string,
  ) {}

  /** Runs kernel `name` of this backend; the result is freed by dispose() unless kept. */
  run(name: string, inputs: Record<string, TensorInfo> | TensorInfo[], attrs: Record<string, unknown> = {}): TensorInfo {
    const kernel = getKernel(name, this.backendName);
    if (!kernel) throw new Error(`Layerbench composed kernel needs '${name}', which backend '${this.backendName}' lacks`);
    const out = kernel.kernelFunc({ inputs: inputs as Record<string, TensorInfo>, backend: this.backend, attrs: attrs as NamedAttrMap });
    const info = Array.isArray(out) ? out[0] : out;
    if (!info) throw new Error(`kernel '${name}' returned no output`);
    this.temps.push(info);
    return info;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  pad(x: TensorInfo, paddings: Array<[number, number]>, constantValue = 0): TensorInfo {
    if (paddings.every(([a, b]) => a === 0 && b === 0)) return x;
    return this.run('PadV2', { x }, { paddings, constantValue });
  }

  stridedSlice(x: TensorInfo, begin: number[], end: number[], strides: number[]): TensorInfo {
    return this.run(
      'StridedSlice',
      { x },
      { begin, end, strides, beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 },
    );
  }

  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    return this.run('Slice', { x }, { begin, size });
  }

  concat(xs: TensorInfo[], axis: number): TensorInfo {
    // Concat kernels take their inputs as an array.
    return this.run('Concat', xs, { axis });
  }

  matMul(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): TensorInfo {
    return this.run('BatchMatMul', { a, b }, { transposeA, transposeB });
  }

  add(a: TensorInfo, b: TensorInfo): TensorInfo {
    return this.run('Add', { a, b });
  }

  sub(a: TensorInfo, b: TensorInfo): TensorInfo {
    return this.run('Sub', { a, b });
  }

  mul(a: TensorInfo, b: TensorInfo): TensorInfo {
    return this.run('Multiply', { a, b });
  }

  sum(x: TensorInfo, axis: number[]): TensorInfo {
    return this.run('Sum', { x }, { axis, keepDims: false });
  }

  conv2d(x: TensorInfo, filter: TensorInfo, strides: [number, number], dilations: [number, number]): TensorInfo {
    return this.run('Conv2D', { x, filter }, { strides, pad: 'valid', dataFormat: 'NHWC', dilations, dimRoundingMode: undefined });
  }

  /**
   * Places t [N, Ho, Wo, C] into an [N, hp, wp, C] grid of zeros so that t[:, i, j] lands at
   * (offH + i*sh, offW + j*sw): the scatter half of a strided window op.
   */
  placeStrided(t: TensorInfo, sh: number, sw: number, offH: number, offW: number, hp: number, wp: number): TensorInfo {
    const [n, ho, wo, c] = t.shape as [number, number, number, number];
    let up = t;
    if (sh > 1 || sw > 1) {
      const t6 = this.reshape(t, [n, ho, 1, wo, 1, c]);
      const padded = this.pad(t6, [
        [0, 0],
        [0, 0],
        [0, sh - 1],
        [0, 0],
        [0, sw - 1],
        [0, 0],
      ]);
      up = this.reshape(padded, [n, ho * sh, wo * sw, c]);
    }
    const uh = Math.min(up.shape[1] as number, hp - offH);
    const uw = Math.min(up.shape[2] as number, wp - offW);
    if (uh !== up.shape[1] || uw !== up.shape[2]) up = this.slice(up, [0, 0, 0, 0], [n, uh, uw, c]);
    return this.pad(up, [
      [0, 0],
      [offH, hp - offH - uh],
      [offW, wp - offW - uw],
      [0, 0],
    ]);
  }

  /** Keeps `out` alive (it is the kernel's result) and frees every other intermediate. */
  finish(out: TensorInfo): TensorInfo {
    if (!this.temps.includes(out)) throw new Error('composed kernel must return a fresh result, not one of its inputs');
    for (const t of this.temps) if (t !== out) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
    return out;
  }

  /** Frees all intermediates (on error). */
  dispose(): void {
    for (const t of this.temps) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
  }
}

/** Runs body in a KernelScope, freeing intermediates on success and on error. */
export function composed(backend: KernelBackend, backendName: string, body: (s: KernelScope) => TensorInfo): TensorInfo {
  const scope = new KernelScope(backend, backendName);
  try {
    return scope.finish(body(scope));
  } catch (e) {
    scope.dispose();
    throw e;
  }
}
