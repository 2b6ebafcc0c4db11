// Kernels Layerbench adds to the pure-JS / wasm backends so that CNNs train on them.
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig } from './depthwise-backprop.js';
import { maxPoolGradConfig } from './max-pool-grad.js';

export { conv2dBackpropFilterConfig, setBackpropFilterStrategy } from './conv2d-backprop-filter.js';
export type { BackpropFilterStrategy } from './conv2d-backprop-filter.js';
export { depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig } from './depthwise-backprop.js';
export { maxPoolGradConfig } from './max-pool-grad.js';

const registered = new Set<string>();

function register(config: KernelConfig, replace: boolean): boolean {
  const key = `${config.backendName}/${config.kernelName}`;
  if (registered.has(key)) return false;
  const existing = getKernel(config.kernelName, config.backendName);
  if (existing && !replace) return false;
  if (existing) unregisterKernel(config.kernelName, config.backendName);
  registerKernel(config);
  registered.add(key);
  return true;
}

/**
 * Registers the composed kernels for `backendName`; returns the kernel names it (re)registered.
 * wasm: adds Conv2DBackpropFilter and the two depthwise backprop kernels, which it lacks (tfjs#8474),
 *   and replaces MaxPoolGrad, whose wasm version is wrong for batch > 1 or channels > 1.
 * cpu: replaces Conv2DBackpropFilter, whose scalar loop is far slower than the composed one.
 */
export function registerComposedKernels(backendName: 'wasm' | 'cpu'): string[] {
  const added: string[] = [];
  const replaceOnCpu = backendName === 'cpu';
  if (register(conv2dBackpropFilterConfig(backendName), replaceOnCpu)) added.push('Conv2DBackpropFilter');
  if (register(depthwiseBackpropFilterConfig(backendName), false)) added.push('DepthwiseConv2dNativeBackpropFilter');
  if (register(depthwiseBackpropInputConfig(backendName), false)) added.push('DepthwiseConv2dNativeBackpropInput');
  if (backendName === 'wasm' && register(maxPoolGradConfig(backendName), true)) added.push('MaxPoolGrad');
  return added;
}
