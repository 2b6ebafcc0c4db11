/**
 * The exported Python training script: readable (defaults left out, the strategy scope and the multi-worker
 * note present) and runnable: it trains one epoch with the real Keras on tiny generated datasets in each
 * format Layerbench reads (IDX as MNIST, CIFAR-10 binary, a folder of images).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TRAINING, type ExperimentSpec } from '../../../common/spec.js';
import { loadDataset } from '../../../main/data/registry.js';
import { exportModel } from '../../../main/export/export-run.js';
import { pythonTrainingScript } from '../../../main/export/python-script.js';
import type { EngineBackend } from '../../../main/engine/tf-types.js';
import { testBackend } from '../helpers/backend.js';
import { seededModel, writeRunFolder } from './models.js';
import { needsPython, python, runPython } from './python-env.js';
import { writeCifarFolder, writeIdxFolder, writeImageFolder } from './tiny-datasets.js';

let backend: EngineBackend;
let work: string;

beforeAll(async () => {
  backend = await testBackend();
  work = await mkdtemp(path.join(tmpdir(), 'lb-script-'));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

function experiment(inputShape: [number, number, number], classes: number, training: Partial<ExperimentSpec['training']>): ExperimentSpec {
  return {
    model: {
      name: 'tiny net',
      inputShape,
      layers: [
        { type: 'Conv2D', filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' },
        { type: 'BatchNormalization' },
        { type: 'MaxPooling2D', poolSize: 2 },
        { type: 'Dropout', rate: 0.25 },
        { type: 'Flatten' },
        { type: 'Dense', units: classes, activation: 'softmax' },
      ],
    },
    training: { ...DEFAULT_TRAINING, batchSize: 8, epochs: 5, ...training },
  };
}

/** Exports the script from a run folder trained (here: built) on `datasetId`, runs it for one epoch. */
async function runScript(
  name: string,
  exp: ExperimentSpec,
  dataset: { id: string; source: string; classNames: string[] },
  args: string[] = [],
): Promise<string> {
  const run = path.join(work, name);
  const model = seededModel(backend.tf, exp.model, 1);
  await writeRunFolder(backend.tf, model, exp, run, dataset);
  model.dispose();
  const script = path.join(work, `${name}.py`);
  await exportModel(run, 'python', script);
  const out = path.join(work, `${name}.keras`);
  const stdout = runPython(script, ['--epochs', '1', '--out', out, ...args], 300_000, work);
  expect((await stat(out)).size).toBeGreaterThan(1000);
  expect(stdout).toMatch(/Trained 1 epoch\(s\): \{'accuracy'/);
  return stdout;
}

describe('Python training script', () => {
  it('reads as a person would write it: settings, layers, optimizer, strategy scope', () => {
    const exp = experiment([28, 28, 1], 10, { optimizer: 'sgd', momentum: 0.9, learningRate: 0.01, validationSplit: 0.1, seed: 7 });
    const text = pythonTrainingScript(exp, { id: 'mnist', source: '/assets/datasets/mnist', classNames: ['0', '1'] });
    expect(text).toContain('layers.Conv2D(4, (3, 3), padding="same", activation="relu", name="conv2d"),');
    expect(text).toContain('layers.MaxPooling2D(pool_size=(2, 2), name="max_pooling2d"),');
    expect(text).toContain('layers.Dense(10, activation="softmax", name="dense"),');
    expect(text).toContain('keras.optimizers.SGD(learning_rate=LEARNING_RATE, momentum=0.9, nesterov=False)');
    expect(text).toMatch(/BATCH_SIZE = 8\nEPOCHS = 5\nVALIDATION_SPLIT = 0.1 .*\nSEED = 7\nLEARNING_RATE = 0.01\n/);
    expect(text).toContain('DATASET_KIND = "idx"');
    expect(text).toContain('DATASET_PATH = "/assets/datasets/mnist"');
    expect(text).toContain('with strategy.scope():');
    expect(text).toContain('tf.distribute.MirroredStrategy()');
    expect(text).toContain('tf.distribute.MultiWorkerMirroredStrategy()');
    expect(text).toContain('TF_CONFIG');
    const folder = pythonTrainingScript(exp, { id: 'folder:/pics#size=28x28,resize=crop', classNames: ['a'] });
    expect(folder).toContain('DATASET_KIND = "folder"');
    expect(folder).toContain('DATASET_PATH = "/pics"');
    expect(folder).toContain('RESIZE = "crop"');
    expect(pythonTrainingScript(exp, { id: 'cifar100:/c100#coarse' })).toContain('CIFAR100_LABELS = "coarse"');
  });

  it.skipIf(!python.ok)(`trains one epoch on a tiny IDX dataset (gzipped, MNIST layout, with a test set)${needsPython}`, async () => {
    const dir = path.join(work, 'idx-data');
    await writeIdxFolder(dir, 8, 8, 4);
    const id = `idx:${dir}`;
    expect((await loadDataset(id)).train.count).toBe(48); // the same files Layerbench itself reads
    const exp = experiment([8, 8, 1], 4, {
      loss: 'sparseCategoricalCrossentropy',
      validationSplit: 0.25,
      augmentation: { horizontalFlip: true, shiftPixels: 1 },
    });
    const stdout = await runScript('idx', exp, { id, source: dir, classNames: ['a', 'b', 'c', 'd'] });
    expect(stdout).toContain('36 training images, 12 for validation');
    expect(stdout).toContain('Training with MirroredStrategy');
    expect(stdout).toMatch(/Test: loss [\d.]+, accuracy [\d.]+/);
  });

  it.skipIf(!python.ok)(
    `writes padding, layer normalization, leaky relu, gelu and chosen initializers as Keras takes them, and trains${needsPython}`,
    async () => {
      const dir = path.join(work, 'idx-new-layers');
      await writeIdxFolder(dir, 8, 8, 4);
      const exp = experiment([8, 8, 1], 4, { validationSplit: 0.25 });
      exp.model.layers = [
        {
          type: 'ZeroPadding2D',
          padding: [
            [1, 0],
            [2, 1],
          ],
        },
        { type: 'Conv2D', filters: 4, kernelSize: 3, activation: 'gelu', kernelInitializer: 'he_normal', biasInitializer: 'ones' },
        { type: 'LayerNormalization', epsilon: 0.01, center: false },
        { type: 'LeakyReLU', negativeSlope: 0.1 },
        { type: 'GlobalMaxPooling2D' },
        { type: 'Dense', units: 4, activation: 'leaky_relu', kernelInitializer: 'lecun_normal' },
        { type: 'Dense', units: 4, activation: 'softmax' },
      ];
      const text = pythonTrainingScript(exp, { id: `idx:${dir}`, source: dir, classNames: ['a', 'b', 'c', 'd'] });
      expect(text).toContain('layers.ZeroPadding2D(padding=((1, 0), (2, 1)), name="zero_padding2d"),');
      expect(text).toContain(
        'layers.Conv2D(4, (3, 3), activation="gelu", kernel_initializer="he_normal", bias_initializer="ones", name="conv2d"),',
      );
      expect(text).toContain('layers.LayerNormalization(epsilon=0.01, center=False, name="layer_normalization"),');
      expect(text).toContain('layers.LeakyReLU(negative_slope=0.1, name="leaky_re_lu"),');
      expect(text).toContain('layers.GlobalMaxPooling2D(name="global_max_pooling2d"),');
      expect(text).toContain('layers.Dense(4, activation="leaky_relu", kernel_initializer="lecun_normal", name="dense"),');
      const stdout = await runScript('new-layers', exp, { id: `idx:${dir}`, source: dir, classNames: ['a', 'b', 'c', 'd'] }, [
        '--strategy',
        'none',
      ]);
      expect(stdout).toMatch(/Test: loss/);
    },
  );

  it.skipIf(!python.ok)(
    `trains one epoch on a tiny CIFAR-10 archive and on an image folder with train/ and test/${needsPython}`,
    async () => {
      const cifar = path.join(work, 'cifar-data');
      await writeCifarFolder(path.join(cifar, 'cifar-10-batches-bin'));
      const archive = path.join(work, 'cifar-10-binary.tar.gz');
      execFileSync('tar', ['-czf', archive, '-C', cifar, 'cifar-10-batches-bin']);
      const cifarId = `cifar10:${archive}`;
      const classes10 = (await loadDataset(cifarId)).classNames;
      const cifarOut = await runScript(
        'cifar',
        experiment([32, 32, 3], 10, { optimizer: 'rmsprop', validationSplit: 0 }),
        { id: cifarId, source: archive, classNames: classes10 },
        ['--strategy', 'none'],
      );
      expect(cifarOut).toContain('30 training images, 0 for validation');
      expect(cifarOut).toMatch(/Test: loss/);

      const folder = path.join(work, 'folder-data');
      await writeImageFolder(path.join(folder, 'train'), ['cats', 'dogs'], 6, 12, 10);
      await writeImageFolder(path.join(folder, 'test'), ['cats', 'dogs'], 2, 12, 10);
      const folderId = `folder:${folder}#size=8x8,channels=3,resize=pad,nocache`;
      const loaded = await loadDataset(folderId);
      expect([loaded.train.count, loaded.test?.count, loaded.inputShape]).toEqual([12, 4, [8, 8, 3]]);
      const folderOut = await runScript(
        'folder',
        experiment([8, 8, 3], 2, { validationSplit: 4 }),
        { id: folderId, source: folder, classNames: loaded.classNames },
        ['--strategy', 'none'],
      );
      expect(folderOut).toContain('8 training images, 4 for validation');
      expect(folderOut).toMatch(/Test: loss/);
    },
  );

  it('exports the script from a run folder with the dataset the run used', async () => {
    const exp = experiment([8, 8, 1], 4, {});
    const model = seededModel(backend.tf, exp.model, 2);
    await writeRunFolder(backend.tf, model, exp, path.join(work, 'plain'), {
      id: 'idx:/data/digits',
      source: '/data/digits',
      classNames: ['w', 'x', 'y', 'z'],
    });
    model.dispose();
    const result = await exportModel(path.join(work, 'plain'), 'python', path.join(work, 'plain.py'));
    const text = await readFile(result.path, 'utf8');
    expect(text).toContain('DATASET_PATH = "/data/digits"');
    expect(text).toContain('CLASS_NAMES = ["w", "x", "y", "z"]');
    expect(text).toContain('python3 plain.py');
  });

  it.skipIf(!python.ok)(
    `streams an image folder through tf.data: the files listed, each decoded to Layerbench's pixels, in Layerbench's order${needsPython}`,
    async () => {
      const folder = path.join(work, 'stream-data');
      await writeImageFolder(folder, ['cats', 'dogs', 'owls'], 4, 8, 8);
      const id = `folder:${folder}#size=8x8,channels=3,nocache`;
      const loaded = await loadDataset(id);
      const exp = experiment([8, 8, 3], 3, {});
      const run = path.join(work, 'stream');
      const model = seededModel(backend.tf, exp.model, 3);
      await writeRunFolder(backend.tf, model, exp, run, { id, source: folder, classNames: loaded.classNames });
      model.dispose();
      const script = path.join(work, 'stream.py');
      await exportModel(run, 'python', script);
      const out = path.join(work, 'stream-pixels.bin');
      const line = JSON.parse(runPython('script_pipeline.py', [script, 'folder', folder, out]).trim().split('\n').pop()!) as {
        loaded: string;
        labels: number[];
        limited: number;
      };
      // Listed, not read into memory: the pipeline decodes each file when its batch is taken.
      expect(line.loaded).toBe('files');
      expect(line.labels).toEqual(Array.from(loaded.train.labels));
      expect(new Uint8Array(await readFile(out))).toEqual(loaded.train.images);
      expect(line.limited).toBe(3);
    },
  );

  it.skipIf(!python.ok)(`--limit N trains on N images for a quick try${needsPython}`, async () => {
    const dir = path.join(work, 'limit-data');
    await writeIdxFolder(dir, 8, 8, 4);
    const exp = experiment([8, 8, 1], 4, { validationSplit: 0.25 });
    const stdout = await runScript('limit', exp, { id: `idx:${dir}`, source: dir, classNames: ['a', 'b', 'c', 'd'] }, [
      '--limit',
      '20',
      '--strategy',
      'none',
    ]);
    expect(stdout).toContain('--limit 20: 20 of 48 images');
    expect(stdout).toContain('15 training images, 5 for validation');
  });

  it('says where --data points by default, and writes it relative to the script when the data lies beside it', () => {
    const exp = experiment([8, 8, 1], 4, {});
    const away = pythonTrainingScript(exp, { id: 'idx:/data/digits', source: '/data/digits' }, new Date(), 'train.py', '/home/me/exports');
    expect(away).toContain('DATASET_PATH = "/data/digits"  # what Layerbench read, on the machine that exported this script');
    expect(away).toContain('default: where it was on the machine that exported this script: %(default)s');
    const beside = pythonTrainingScript(
      exp,
      { id: 'idx:/home/me/project/data/digits', source: '/x' },
      new Date(),
      'train.py',
      '/home/me/project',
    );
    expect(beside).toContain(`DATASET_PATH = "data/digits"  # what Layerbench read, relative to this script's folder`);
    expect(beside).toContain('os.path.join(os.path.dirname(os.path.abspath(__file__)), DATASET_PATH)');
  });
});
