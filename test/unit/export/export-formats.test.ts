/**
 * What the exports hold, checked without Python: the .keras zip's entries and Keras 3 weight layout, the
 * legacy .h5's attributes and groups, the TensorFlow.js folder with its README, and that a failed export
 * leaves nothing half-written.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelFromDir } from '../../../main/engine/save.js';
import type { EngineBackend } from '../../../main/engine/tf-types.js';
import { exportModel } from '../../../main/export/export-run.js';
import { ExportTargetError } from '../../../main/export/export-target.js';
import { readFloat32, readStringAttr, readStringList, withH5 } from '../../../main/export/h5.js';
import { kerasWeightPaths } from '../../../main/export/keras-paths.js';
import { testBackend } from '../helpers/backend.js';
import { experimentOf, IMAGE_MODEL, seededModel, writeRunFolder } from './models.js';

let backend: EngineBackend;
let work: string;
let run: string;
let bnMean: Float32Array;

beforeAll(async () => {
  backend = await testBackend();
  work = await mkdtemp(path.join(tmpdir(), 'lb-formats-'));
  run = path.join(work, 'run');
  const model = seededModel(backend.tf, IMAGE_MODEL, 5);
  bnMean = (await model.layers[1].getWeights()[2].data()) as Float32Array;
  await writeRunFolder(backend.tf, model, experimentOf(IMAGE_MODEL), run);
  model.dispose();
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('Keras 3 weight paths', () => {
  it('numbers layers per class in snake_case, as Keras names them', () => {
    expect(
      kerasWeightPaths([
        'Conv2D',
        'BatchNormalization',
        'MaxPooling2D',
        'Conv2D',
        'GlobalAveragePooling2D',
        'ReLU',
        'Dense',
        'Dense',
        'Dense',
      ]),
    ).toEqual([
      'conv2d',
      'batch_normalization',
      'max_pooling2d',
      'conv2d_1',
      'global_average_pooling2d',
      're_lu',
      'dense',
      'dense_1',
      'dense_2',
    ]);
  });
});

describe('export formats', () => {
  it('.keras: metadata.json, config.json with the model and compile settings, weights under layers/<class>/vars', async () => {
    const file = path.join(work, 'm.keras');
    await exportModel(run, 'keras', file);
    const zip = unzipSync(await readFile(file));
    expect(Object.keys(zip).sort()).toEqual(['config.json', 'metadata.json', 'model.weights.h5']);
    expect(JSON.parse(strFromU8(zip['metadata.json'])).keras_version).toMatch(/^3\./);
    const config = JSON.parse(strFromU8(zip['config.json']));
    expect(config.class_name).toBe('Sequential');
    expect(config.config.name).toBe('every_layer');
    expect(config.config.layers[0].config.batch_shape).toEqual([null, 10, 10, 3]);
    expect(config.config.layers.map((l: { class_name: string }) => l.class_name).slice(1)).toEqual(IMAGE_MODEL.layers.map((l) => l.type));
    expect(config.config.layers[7].config.activation).toBe('silu');
    expect(config.compile_config.optimizer.class_name).toBe('RMSprop');
    expect(config.compile_config.optimizer.config).toMatchObject({ learning_rate: 0.002, momentum: 0.5, rho: 0.9 });
    const h5 = path.join(work, 'weights.h5');
    await writeFile(h5, zip['model.weights.h5']);
    await withH5(h5, 'r', (f) => {
      expect(f.get('layers/conv2d/vars/0')).toBeTruthy();
      expect(readFloat32(f, 'layers/conv2d_1/vars/0')?.shape).toEqual([3, 2, 6, 5]);
      expect(f.get('layers/conv2d_1/vars/1')).toBeNull();
      expect(Array.from(readFloat32(f, 'layers/batch_normalization/vars/2')!.data)).toEqual(Array.from(bnMean));
      expect(readFloat32(f, 'layers/batch_normalization_1/vars/3')?.shape).toEqual([12]);
    });
  });

  it('.h5: model_config and training_config attributes, layer_names and weight_names in model_weights', async () => {
    const file = path.join(work, 'm.h5');
    await exportModel(run, 'h5', file);
    await withH5(file, 'r', (f) => {
      const config = JSON.parse(readStringAttr(f, 'model_config')!);
      expect(config.class_name).toBe('Sequential');
      expect(config.module).toBeUndefined();
      expect(JSON.parse(readStringAttr(f, 'training_config')!).loss).toBe('categorical_crossentropy');
      const names = readStringList(f.get('model_weights') as never, 'layer_names');
      expect(names).toHaveLength(IMAGE_MODEL.layers.length);
      expect(names[3]).toBe('narrow');
      expect(readStringList(f.get('model_weights/batch_normalization') as never, 'weight_names')).toEqual([
        'every_layer/batch_normalization/gamma',
        'every_layer/batch_normalization/beta',
        'every_layer/batch_normalization/moving_mean',
        'every_layer/batch_normalization/moving_variance',
      ]);
      expect(Array.from(readFloat32(f, 'model_weights/batch_normalization/every_layer/batch_normalization/moving_mean')!.data)).toEqual(
        Array.from(bnMean),
      );
      expect(readStringList(f.get('model_weights/flatten') as never, 'weight_names')).toEqual([]);
    });
  });

  it('tfjs: the model folder with a README on loading it; an existing export is replaced whole only when forced', async () => {
    const out = path.join(work, 'web-model');
    await exportModel(run, 'tfjs', out);
    await writeFile(path.join(out, 'stale.txt'), 'from an earlier export');
    await expect(exportModel(run, 'tfjs', out)).rejects.toThrow(ExportTargetError);
    expect(await readdir(out)).toContain('stale.txt');
    const result = await exportModel(run, 'tfjs', out, { force: true });
    expect(result.files).toEqual(['README.md', 'classes.json', 'experiment.json', 'history.json', 'model.json', 'weights.bin']);
    expect((await readdir(out)).sort()).toEqual(result.files);
    const readme = await readFile(path.join(out, 'README.md'), 'utf8');
    expect(readme).toContain("tf.loadLayersModel('file://'");
    expect(readme).toContain('[batch, 10, 10, 3]');
    const loaded = await loadModelFromDir(backend.tf, out);
    expect(loaded.layers.map((l) => l.getClassName())).toEqual(IMAGE_MODEL.layers.map((l) => l.type));
    loaded.dispose();
  });

  it("tfjs: a model with leaky_relu loads in a plain TensorFlow.js process with the README's registration", async () => {
    const spec = {
      ...IMAGE_MODEL,
      layers: [
        { type: 'Flatten' as const },
        { type: 'Dense' as const, units: 4, activation: 'leaky_relu' as const },
        { type: 'Dense' as const, units: 2, activation: 'softmax' as const },
      ],
    };
    const leakyRun = path.join(work, 'run-leaky');
    const model = seededModel(backend.tf, spec, 6);
    await writeRunFolder(backend.tf, model, experimentOf(spec), leakyRun, { id: 'mnist', source: '/data/mnist', classNames: ['a', 'b'] });
    model.dispose();
    const out = path.join(work, 'web-leaky');
    await exportModel(leakyRun, 'tfjs', out);
    const readme = await readFile(path.join(out, 'README.md'), 'utf8');
    const snippet = /Register it once[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet).toBeDefined();
    // A fresh Node process, as a reader of the README would run it: without the snippet the model does not load.
    const load = (register: string) =>
      spawnSync(
        process.execPath,
        [
          '-e',
          `const tf = require('@tensorflow/tfjs-node');\n${register}\n` +
            `tf.loadLayersModel('file://' + ${JSON.stringify(path.join(out, 'model.json'))}).then((m) => console.log('loaded', m.layers.length), (e) => { console.log('failed', e.message); });`,
        ],
        { encoding: 'utf8', cwd: process.cwd() },
      ).stdout;
    expect(load('')).toMatch(/failed .*leakyRelu/);
    expect(load(snippet!)).toContain('loaded 3');
  });

  it('refuses a folder that holds no model, naming it, and leaves no partial file', async () => {
    await expect(exportModel(work, 'keras', path.join(work, 'x.keras'))).rejects.toThrow(/neither a run folder .* nor a model folder/);
    const model = path.join(work, 'broken');
    await exportModel(run, 'tfjs', model);
    await rm(path.join(model, 'weights.bin'));
    await expect(exportModel(model, 'h5', path.join(work, 'broken.h5'))).rejects.toThrow(/weights\.bin/);
    expect((await readdir(work)).filter((n) => n.includes('broken.h5'))).toEqual([]);
  });
});

describe('names Keras refuses', () => {
  it('refuses a layer name with a slash for Keras formats, naming the layer', async () => {
    const spec = { ...IMAGE_MODEL, layers: IMAGE_MODEL.layers.map((l, i) => (i === 0 ? { ...l, name: 'block1/conv' } : l)) };
    const model = seededModel(backend.tf, spec, 6);
    const slashRun = path.join(work, 'slash');
    await writeRunFolder(backend.tf, model, experimentOf(spec), slashRun);
    model.dispose();
    await expect(exportModel(slashRun, 'keras', path.join(work, 'slash.keras'))).rejects.toThrow(
      /layer 1 is named "block1\/conv"; Keras does not allow "\/"/,
    );
    await expect(exportModel(slashRun, 'tfjs', path.join(work, 'slash-tfjs'))).resolves.toMatchObject({
      files: expect.arrayContaining(['model.json']),
    });
  });
});
