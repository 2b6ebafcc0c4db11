// Floating-point operations per sample of a model (a chain or a graph: each layer's input is the one it reads), counted the usual way: 2 per
// multiply-accumulate in Conv2D and Dense, and training = 3x the forward pass (forward, gradient of the
// input, gradient of the weights). Biases, activations and pooling are not counted: by this count the
// seed CNN is 41.5 MFLOP forward and 124.4 MFLOP per training sample, as the issue states.
// BatchNormalization is counted at 6 FLOP per element forward (mean 1, variance 3, scale-and-shift 2).
import { pair } from '../../dist/common/spec.js';
import { summarize } from '../../dist/common/summarize.js';

const BATCHNORM_FLOP_PER_ELEMENT = 6;

export function forwardFlopsPerSample(spec, numClasses) {
  const summary = summarize(spec, { numClasses });
  if (!summary.ok) throw new Error(`cannot count FLOPs of ${spec.name}: ${summary.errors.map((e) => e.message).join('; ')}`);
  let flops = 0;
  spec.layers.forEach((layer, i) => {
    const from = summary.layers[i].inputs[0];
    const input = from === undefined || from < 0 ? spec.inputShape : summary.layers[from].outputShape;
    const out = summary.layers[i].outputShape;
    const elements = out.reduce((a, b) => a * b, 1);
    if (layer.type === 'Conv2D') {
      const [kh, kw] = pair(layer.kernelSize);
      flops += 2 * elements * kh * kw * input[input.length - 1];
    } else if (layer.type === 'Dense') {
      flops += 2 * input.reduce((a, b) => a * b, 1) * layer.units;
    } else if (layer.type === 'BatchNormalization') {
      flops += BATCHNORM_FLOP_PER_ELEMENT * elements;
    }
  });
  return flops;
}

export function trainFlopsPerSample(spec, numClasses) {
  return 3 * forwardFlopsPerSample(spec, numClasses);
}
