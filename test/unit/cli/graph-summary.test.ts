/** `layerbench summary` on the README's graph example (examples/residual-mnist.json): the functional table. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliInProcess } from '../helpers/cli.js';

describe('layerbench summary of a graph spec', () => {
  it('prints the input row and a "Connected to" column naming both inputs of the residual Add', async () => {
    const r = await cliInProcess('summary', 'examples/residual-mnist.json');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Layer \(type\) +Output Shape +Param # +Connected to/);
    expect(r.out).toMatch(/^input \(InputLayer\) +\(None, 28, 28, 1\) +0 +-$/m);
    expect(r.out).toMatch(/^residual \(Add\) +\(None, 28, 28, 16\) +0 +conv_b\[0\]\[0\]\n +stem\[0\]\[0\]$/m);
    expect(r.out).toContain('Total params: 36,218');
  });

  it("prints the resnet20 preset with its Connected to column and Keras's 274,042 parameters", async () => {
    const r = await cliInProcess('summary', '--preset', 'resnet20');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Layer \(type\) +Output Shape +Param # +Connected to/);
    // The first downsampling block: its Add reads the second BatchNormalization and the projection shortcut.
    expect(r.out).toMatch(
      /^stage2_block1_add \(Add\) +\(None, 16, 16, 32\) +0 +stage2_block1_bn2\[0\]\[0\]\n +stage2_block1_proj_bn\[0\]\[0\]$/m,
    );
    expect(r.out).toMatch(/^predictions \(Dense\) +\(None, 10\) +650 +avg_pool\[0\]\[0\]$/m);
    expect(r.out).toContain('Total params: 274,042');
  });

  it('refuses a spec whose input names a later layer, naming both', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lb-graph-cli-'));
    const file = path.join(dir, 'cycle.json');
    await writeFile(
      file,
      JSON.stringify({
        inputShape: [8, 8, 1],
        layers: [
          { type: 'Conv2D', filters: 2, kernelSize: 3, inputs: ['late'] },
          { type: 'Conv2D', filters: 2, kernelSize: 3, name: 'late' },
          { type: 'Flatten' },
        ],
      }),
    );
    const r = await cliInProcess('summary', file);
    expect(r.code).toBe(2);
    expect(r.err + r.out).toMatch(/layers\[0\] conv2d \(Conv2D\): input "late" is layers\[1\], which comes after this layer/);
  });
});
