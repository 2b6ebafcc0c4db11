/** End to end: datasets written in the official formats train through the engine and the CLI. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_TRAINING, type ExperimentSpec } from '../../../common/spec.js';
import type { EngineBackend } from '../../../main/engine/tf-types.js';
import { loadDataset } from '../../../main/data/registry.js';
import { train } from '../../../main/engine/train.js';
import { testBackend } from '../helpers/backend.js';
import { cifarBytes, idxBytes, tempDir } from './fixtures.js';

let backend: EngineBackend;
beforeAll(async () => {
  backend = await testBackend();
  process.env.XDG_CACHE_HOME = tempDir('lb-cache-');
});

function tinyCifar(): string {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'data_batch_1.bin'), cifarBytes(Array.from({ length: 100 }, (_, i) => [i % 10])));
  writeFileSync(
    path.join(dir, 'test_batch.bin'),
    cifarBytes(
      Array.from({ length: 20 }, (_, i) => [i % 10]),
      500,
    ),
  );
  return dir;
}

function small(inputShape: [number, number, number], augmentation = DEFAULT_TRAINING.augmentation, classes = 10): ExperimentSpec {
  return {
    model: {
      name: 'small',
      inputShape,
      layers: [
        { type: 'Conv2D', filters: 4, kernelSize: 3, activation: 'relu' },
        { type: 'MaxPooling2D', poolSize: 2 },
        { type: 'Flatten' },
        { type: 'Dense', units: classes, activation: 'softmax' },
      ],
    },
    training: { ...DEFAULT_TRAINING, epochs: 1, batchSize: 16, validationSplit: 0.2, augmentation },
  };
}

describe('training on imported datasets', () => {
  it('one epoch on a generated CIFAR-10 folder; augmentation is seeded and changes training only', async () => {
    const dataset = await loadDataset(`cifar10:${tinyCifar()}`);
    const run = async (aug: ExperimentSpec['training']['augmentation']) => {
      const result = await train({ backend, experiment: small([32, 32, 3], aug), dataset });
      result.dispose();
      expect(result.status).toBe('finished');
      return result;
    };
    const plain = await run({ horizontalFlip: false, shiftPixels: 0 });
    expect(plain.split).toMatchObject({ trainCount: 80, validationCount: 20 });
    expect(plain.history).toHaveLength(1);
    expect(Number.isFinite(plain.history[0].val_loss)).toBe(true);
    const augA = await run({ horizontalFlip: true, shiftPixels: 4 });
    const augB = await run({ horizontalFlip: true, shiftPixels: 4 });
    expect(augA.history[0].loss).toBe(augB.history[0].loss);
    expect(augA.history[0].val_loss).toBe(augB.history[0].val_loss);
    expect(augA.history[0].loss).not.toBe(plain.history[0].loss);
    // The test set never reaches training: 80 + 20 = the training file only.
    expect(dataset.test?.count).toBe(20);
  });

  it('trains on an image folder and on IDX files', async () => {
    const root = tempDir();
    for (let c = 0; c < 2; c++) {
      mkdirSync(path.join(root, `class${c}`));
      for (let i = 0; i < 10; i++) {
        const img = sharp({ create: { width: 12, height: 12, channels: 3, background: { r: c * 200, g: i * 20, b: 50 } } });
        writeFileSync(path.join(root, `class${c}`, `${i}.png`), await img.png().toBuffer());
      }
    }
    const folder = await loadDataset(`folder:${root}`);
    const spec = small([12, 12, 3], DEFAULT_TRAINING.augmentation, 2);
    const r1 = await train({ backend, experiment: { ...spec, training: { ...spec.training, batchSize: 4 } }, dataset: folder });
    r1.dispose();
    expect(r1.error).toBeUndefined();
    expect(r1.status).toBe('finished');
    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'train-images-idx3-ubyte.gz'),
      idxBytes(
        [30, 28, 28],
        Uint8Array.from({ length: 30 * 784 }, (_, i) => i & 0xff),
      ),
    );
    writeFileSync(
      path.join(dir, 'train-labels-idx1-ubyte.gz'),
      idxBytes(
        [30],
        Uint8Array.from({ length: 30 }, (_, i) => i % 10),
      ),
    );
    const idx = await loadDataset(`idx:${dir}`);
    const r2 = await train({ backend, experiment: small([28, 28, 1]), dataset: idx });
    r2.dispose();
    expect(r2.status).toBe('finished');
  });

  it('layerbench train --preset seed-batchnorm --dataset cifar10:<archive folder> runs an epoch', async () => {
    const { trainCommand } = await import('../../../main/cli/train-command.js');
    const out = path.join(tempDir(), 'run');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    let code: number;
    try {
      code = await trainCommand({ preset: 'seed-batchnorm', dataset: `cifar10:${tinyCifar()}`, epochs: 1, out });
    } finally {
      write.mockRestore();
    }
    expect(code).toBe(0);
    const info = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
    expect(info.status).toBe('finished');
    expect(info.dataset.split).toMatchObject({ trainCount: 80, validationCount: 20 });
  });
});
