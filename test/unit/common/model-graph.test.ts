/**
 * Graph specs in common/: the `inputs` rules (common/model-graph.ts) as validation issues on the layer at
 * fault, shapes and parameters over the graph, merge shape errors naming the inputs that disagree, and
 * the Keras functional summary's "Connected to" column.
 */
import { describe, expect, it } from 'vitest';
import { validateModel } from '../../../common/schema.js';
import type { LayerSpec, ModelSpec } from '../../../common/spec.js';
import { formatSummary, summarize } from '../../../common/summarize.js';
import { concatSpec, projectionSpec, residualSpec } from '../helpers/graph-specs.js';

const spec = (layers: LayerSpec[], inputShape: [number, number, number] = [8, 8, 3]): ModelSpec => ({ inputShape, layers });
const messages = (s: ModelSpec) => {
  const r = validateModel(s);
  return r.ok ? [] : r.issues.map((i) => i.message);
};

describe('graph validation', () => {
  it('accepts a residual block, a projection shortcut and a Concatenate', () => {
    for (const s of [residualSpec(3), projectionSpec(3), concatSpec(3)]) expect(messages(s)).toEqual([]);
  });

  it('names the layer and an unknown input, or one that comes later (a cycle or wrong order)', () => {
    const unknown = messages(
      spec([
        { type: 'Conv2D', filters: 2, kernelSize: 1 },
        { type: 'Add', inputs: ['conv2d', 'stem'] },
      ]),
    );
    expect(unknown).toEqual([expect.stringMatching(/^layers\[1\] add \(Add\): input "stem" is not the name of any layer/)]);
    const later = messages(
      spec([
        { type: 'Conv2D', filters: 2, kernelSize: 1, inputs: ['conv2d_1'] },
        { type: 'Conv2D', filters: 2, kernelSize: 1 },
        { type: 'Flatten' },
      ]),
    );
    expect(later[0]).toMatch(/^layers\[0\] conv2d \(Conv2D\): input "conv2d_1" is layers\[1\], which comes after this layer/);
    const self = messages(spec([{ type: 'Conv2D', filters: 2, kernelSize: 1, inputs: ['conv2d'] }]));
    expect(self[0]).toMatch(/a layer cannot read its own output/);
  });

  it('refuses duplicate names, explicit or default, naming both layers, and "input" as a name', () => {
    const dup = messages(
      spec([
        { type: 'Conv2D', filters: 2, kernelSize: 1, name: 'conv2d_1' },
        { type: 'Conv2D', filters: 2, kernelSize: 1 },
        { type: 'Conv2D', filters: 2, kernelSize: 1 },
      ]),
    );
    expect(dup).toEqual([
      expect.stringMatching(/^layers\[2\] conv2d_1 \(Conv2D\): the name "conv2d_1" is also the name of layers\[0\] \(Conv2D\)/),
    ]);
    const reserved = messages(spec([{ type: 'Flatten', name: 'input' }]));
    expect(reserved[0]).toMatch(/the name "input" is reserved for the model input/);
  });

  it('refuses a layer whose output no later layer reads (only the last layer is the output)', () => {
    const m = messages(
      spec([
        { type: 'Conv2D', filters: 2, kernelSize: 1 },
        { type: 'Conv2D', filters: 2, kernelSize: 1, inputs: ['input'] },
        { type: 'Flatten' },
      ]),
    );
    expect(m).toEqual([expect.stringMatching(/^layers\[0\] conv2d \(Conv2D\): conv2d's output is not used by any later layer/)]);
  });

  it('counts inputs: a merge 2 to 8, any other layer exactly one', () => {
    expect(messages(spec([{ type: 'Flatten' }, { type: 'Add', inputs: ['flatten'] }])).join()).toMatch(/layers\[1\]/);
    expect(messages(spec([{ type: 'Flatten', inputs: ['input', 'input'] }]))[0]).toMatch(
      /Flatten reads exactly one input, but inputs lists 2/,
    );
  });
});

describe('summaries of graphs', () => {
  it("infers shapes and parameters over the graph and lists each layer's inputs", () => {
    const s = summarize(projectionSpec(3));
    expect(s.ok).toBe(true);
    expect(s.isChain).toBe(false);
    const byName = new Map(s.layers.map((l) => [l.name, l]));
    expect(byName.get('shortcut')).toMatchObject({ outputShape: [4, 4, 8], params: 3 * 8 + 8, inputs: [-1] });
    expect(byName.get('add')).toMatchObject({ outputShape: [4, 4, 8], params: 0, inputs: [3, 4] });
    const c = summarize(concatSpec(3));
    expect(c.layers.find((l) => l.type === 'Concatenate')!.outputShape).toEqual([3, 3, 8]);
    expect(summarize({ inputShape: [4, 4, 1], layers: [{ type: 'Flatten' }, { type: 'Dense', units: 2 }] }).layers[0].inputs).toEqual([-1]);
  });

  it('says which merge inputs disagree and how', () => {
    const s = summarize(
      spec(
        [
          { type: 'Conv2D', filters: 32, kernelSize: 3, padding: 'same', strides: 2 },
          { type: 'MaxPooling2D', poolSize: 2, inputs: ['input'] },
          { type: 'Conv2D', filters: 16, kernelSize: 1 },
          { type: 'Add', inputs: ['conv2d', 'conv2d_1'] },
        ],
        [32, 32, 3],
      ),
    );
    expect(s.errors.map((e) => e.message)).toEqual([
      'layers[3] add (Add): inputs conv2d (16x16x32) and conv2d_1 (16x16x16) differ in channels; Add needs inputs of one shape (a 1x1 Conv2D on the shortcut can match them)',
    ]);
    const cat = summarize(
      spec([
        { type: 'MaxPooling2D', poolSize: 2 },
        { type: 'Concatenate', inputs: ['max_pooling2d', 'input'] },
      ]),
    );
    expect(cat.errors[0].message).toMatch(/inputs max_pooling2d \(4x4x3\) and input \(8x8x3\) differ in height and width/);
  });

  it('prints a graph as Keras prints a functional model, with "Connected to"; a chain as before', () => {
    const text = formatSummary(summarize(residualSpec(3)), 'residual');
    expect(text).toMatch(/Layer \(type\) +Output Shape +Param # +Connected to/);
    expect(text).toMatch(/^input \(InputLayer\) +\(None, 8, 8, 4\) +0 +-$/m);
    expect(text).toMatch(/^add \(Add\) +\(None, 8, 8, 4\) +0 +conv_b\[0\]\[0\]\n +stem\[0\]\[0\]$/m);
    const chain = formatSummary(summarize({ inputShape: [4, 4, 1], layers: [{ type: 'Flatten' }, { type: 'Dense', units: 2 }] }));
    expect(chain).not.toMatch(/Connected to|InputLayer/);
  });
});
