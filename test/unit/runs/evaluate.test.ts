import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { allOf, type Dataset } from '../../../main/data/dataset.js';
import { loadImageFolder } from '../../../main/data/image-folder.js';
import { decodeImageFile, UnreadableImageError } from '../../../main/engine/predict.js';
import { loadModelFromDir, saveModelAtomic } from '../../../main/engine/save.js';
import type { EngineBackend } from '../../../main/engine/tf-types.js';
import { evaluateSubset } from '../../../main/engine/validate.js';
import { evaluateRun, predictWithRun } from '../../../main/runs/evaluate-run.js';
import { startRun } from '../../../main/runs/run-training.js';
import { testBackend } from '../helpers/backend.js';
import { bmpBytes, pattern } from '../data/fixtures.js';
import { tinyExperiment, tinyMnist } from '../helpers/fixtures.js';
import { ctxOf, tempDir } from './helpers.js';

let backend: EngineBackend;
let dataset: Dataset;
let runDir: string;
const SIZE = 28 * 28;

beforeAll(async () => {
  backend = await testBackend();
  const all = await tinyMnist(400);
  // The first 300 digits train, the next 100 are the test set.
  dataset = {
    ...all,
    train: { images: all.train.images.slice(0, 300 * SIZE), labels: all.train.labels.slice(0, 300), count: 300 },
    test: { images: all.train.images.slice(300 * SIZE), labels: all.train.labels.slice(300), count: 100 },
  };
  runDir = path.join(await tempDir('eval'), 'run');
  const outcome = await startRun(ctxOf(backend), { dir: runDir, experiment: tinyExperiment({ epochs: 2 }), dataset });
  expect(outcome.status).toBe('finished');
});

describe('evaluateRun', () => {
  it('reports loss, accuracy, confusion matrix, per-class scores and the worst mistakes on the test set', async () => {
    const r = await evaluateRun(backend, { dir: runDir, loadDataset: async () => dataset, examples: 5 });
    expect(r).toMatchObject({ set: 'test', model: 'final', count: 100 });
    expect(r.setDescription).toMatch(/test set .*100 images/);
    const total = r.confusion.flat().reduce((a, b) => a + b, 0);
    expect(total).toBe(100);
    const trace = r.confusion.reduce((a, row, i) => a + row[i], 0);
    expect(r.accuracy).toBeCloseTo(trace / 100, 10);
    // The same numbers the training loop's validation computes on the same images.
    const model = await loadModelFromDir(backend.tf, path.join(runDir, 'model'));
    const reference = await evaluateSubset(backend.tf, model, allOf(dataset.test!), [28, 28, 1], 10);
    expect(r.loss).toBeCloseTo(reference.loss, 4);
    expect(r.accuracy).toBeCloseTo(reference.accuracy, 6);
    for (const [c, cls] of r.perClass.entries()) {
      const tp = r.confusion[c][c];
      const predicted = r.confusion.reduce((a, row) => a + row[c], 0);
      expect(cls.support).toBe(r.confusion[c].reduce((a, b) => a + b, 0));
      expect(cls.recall).toBeCloseTo(tp / cls.support, 10);
      if (predicted > 0) expect(cls.precision).toBeCloseTo(tp / predicted, 10);
      expect(cls.accuracy).toBeCloseTo((100 - cls.support - predicted + 2 * tp) / 100, 10);
    }
    expect(r.misclassified.length).toBe(Math.min(5, 100 - trace));
    const confidences = r.misclassified.map((m) => m.confidence);
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
    // Each mistake's image, true label and confidence match the model's own prediction for that image.
    const probs = (await (model.predict(backend.tf.tensor4d(dataset.test!.images, [100, 28, 28, 1], 'int32').toFloat().div(255)) as ReturnType<typeof backend.tf.tensor>).array()) as number[][];
    for (const [i, m] of r.misclassified.entries()) {
      expect(m.trueLabel).toBe(dataset.test!.labels[m.index]);
      expect(m.predicted).not.toBe(m.trueLabel);
      expect(m.confidence).toBeCloseTo(Math.max(...probs[m.index]), 5);
      const file = path.join(r.dir, r.images[i]);
      expect(await sharp(file).metadata()).toMatchObject({ width: 28, height: 28, channels: 1 });
      const png = await sharp(file).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
      expect(Buffer.compare(png.data, Buffer.from(dataset.test!.images.subarray(m.index * SIZE, (m.index + 1) * SIZE)))).toBe(0);
    }
    model.dispose();
    const saved = JSON.parse(await readFile(path.join(runDir, 'evaluation', 'evaluation.json'), 'utf8'));
    expect(saved.confusion).toEqual(r.confusion);
  });

  it('uses the run’s validation split when the dataset has no test set, and says so; the training images as a last resort', async () => {
    const noTest = { ...dataset, test: undefined };
    const r = await evaluateRun(backend, { dir: runDir, loadDataset: async () => noTest, model: 'best' });
    expect(r).toMatchObject({ set: 'validation', model: 'best', count: 75 });
    expect(r.setDescription).toMatch(/validation split \(75 images; .* has no separate test set\)/);

    const dir = path.join(await tempDir('eval-noval'), 'run');
    await startRun(ctxOf(backend), { dir, experiment: tinyExperiment({ epochs: 1, validationSplit: 0 }), dataset: noTest });
    const t = await evaluateRun(backend, { dir, loadDataset: async () => noTest });
    expect(t.set).toBe('training');
    expect(t.setDescription).toMatch(/optimistic/);
  });
});

describe('predictWithRun', () => {
  it('decodes image files of any size and colour, and returns the top classes the model gives those pixels', async () => {
    const dir = await tempDir('predict');
    const files: string[] = [];
    for (const i of [0, 1]) {
      const raw = Buffer.from(dataset.test!.images.subarray(i * SIZE, (i + 1) * SIZE));
      const file = path.join(dir, `digit${i}.png`);
      await sharp(raw, { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(file);
      files.push(file);
    }
    // The same digit as a larger RGB JPEG: resized and converted to one channel on the way in.
    const big = path.join(dir, 'digit0-big.jpg');
    await sharp(Buffer.from(dataset.test!.images.subarray(0, SIZE)), { raw: { width: 28, height: 28, channels: 1 } }).resize(56, 56).toColourspace('srgb').jpeg({ quality: 95 }).toFile(big);
    const { model, predictions } = await predictWithRun(backend, { dir: runDir, files: [...files, big], top: 3 });
    expect(model).toBe('final');
    const m = await loadModelFromDir(backend.tf, path.join(runDir, 'model'));
    const probs = (await (m.predict(backend.tf.tensor4d(dataset.test!.images.subarray(0, 2 * SIZE), [2, 28, 28, 1], 'int32').toFloat().div(255)) as ReturnType<typeof backend.tf.tensor>).array()) as number[][];
    for (const i of [0, 1]) {
      const p = predictions[i];
      expect(p.file).toBe(files[i]);
      expect(p.top).toHaveLength(3);
      const best = probs[i].indexOf(Math.max(...probs[i]));
      expect(p.top[0]).toMatchObject({ index: best, label: String(best) });
      expect(p.top[0].probability).toBeCloseTo(probs[i][best], 5);
      expect(p.top[0].probability).toBeGreaterThanOrEqual(p.top[1].probability);
    }
    // The JPEG comes in as 28x28 grey pixels close to the digit's own (a weakly trained model may still read the
    // slight JPEG blur as another digit, so what is compared is the model's answer for those pixels).
    const decoded = await decodeImageFile(big, [28, 28, 1]);
    const original = dataset.test!.images.subarray(0, SIZE);
    expect(decoded.reduce((a, v, i) => a + Math.abs(v - original[i]), 0) / SIZE).toBeLessThan(16);
    const bigProbs = ((await (m.predict(backend.tf.tensor4d(decoded, [1, 28, 28, 1], 'int32').toFloat().div(255)) as ReturnType<typeof backend.tf.tensor>).array()) as number[][])[0];
    m.dispose();
    expect(predictions[2].top[0].index).toBe(bigProbs.indexOf(Math.max(...bigProbs)));
    expect(predictions[2].top[0].probability).toBeCloseTo(Math.max(...bigProbs), 5);
  });

  it('reads BMP files, as dataset imports do: the same digit as BMP and PNG gets the same prediction', async () => {
    const dir = await tempDir('predict-bmp');
    const gray = dataset.test!.images.subarray(0, SIZE);
    const rgb = new Uint8Array(SIZE * 3).map((_, i) => gray[Math.floor(i / 3)]);
    const png = path.join(dir, 'digit.png');
    const bmp = path.join(dir, 'digit.bmp');
    await sharp(Buffer.from(gray), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(png);
    await writeFile(bmp, bmpBytes(28, 28, rgb));
    expect(await decodeImageFile(bmp, [28, 28, 1])).toEqual(await decodeImageFile(png, [28, 28, 1]));
    const { predictions } = await predictWithRun(backend, { dir: runDir, files: [png, bmp], top: 2 });
    expect(predictions[1].top).toEqual(predictions[0].top);
  });

  it("decodes new images as the run's folder dataset decoded its training images (its resize mode, from run.json)", async () => {
    // Two classes of 40x24 RGB images, imported at 16x16 by centre crop: predict must crop them the same way.
    const root = await tempDir('predict-folder');
    const files: string[] = [];
    for (const [c, name] of ['cats', 'dogs'].entries()) {
      await mkdir(path.join(root, name));
      for (let k = 0; k < 6; k++) {
        const file = path.join(root, name, `${k}.png`);
        await sharp(Buffer.from(pattern(40, 24, 3, c * 10 + k)), { raw: { width: 40, height: 24, channels: 3 } }).png().toFile(file);
        files.push(file);
      }
    }
    const folder = await loadImageFolder(root, { size: [16, 16], resize: 'crop', cache: false });
    expect(folder.resize).toBe('crop');
    const experiment = tinyExperiment({ epochs: 1, batchSize: 4 });
    experiment.model = { ...experiment.model, inputShape: [16, 16, 3] };
    experiment.model.layers = experiment.model.layers.map((l) => (l.type === 'Dense' ? { ...l, units: 2 } : l));
    const dir = path.join(await tempDir('predict-folder-run'), 'run');
    expect((await startRun(ctxOf(backend), { dir, experiment, dataset: folder })).status).toBe('finished');
    const info = JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8'));
    expect(info.dataset.resize).toBe('crop');

    const image = (i: number) => Buffer.from(folder.train.images.subarray(i * 768, (i + 1) * 768));
    const stored = Array.from({ length: folder.train.count }, (_, i) => image(i));
    const { predictions } = await predictWithRun(backend, { dir, files, top: 1 });
    const m = await loadModelFromDir(backend.tf, path.join(dir, 'model'));
    for (const [k, file] of files.entries()) {
      // Byte for byte one of the images the run trained on, and not what a stretch would give.
      const pixels = Buffer.from(await decodeImageFile(file, [16, 16, 3], 'crop'));
      const match = stored.findIndex((s) => s.equals(pixels));
      expect(match).toBeGreaterThanOrEqual(0);
      expect(Buffer.from(await decodeImageFile(file, [16, 16, 3], 'stretch')).equals(pixels)).toBe(false);
      const x = backend.tf.tensor4d(stored[match], [1, 16, 16, 3], 'int32').toFloat().div(255);
      const probs = ((await (m.predict(x) as ReturnType<typeof backend.tf.tensor>).array()) as number[][])[0];
      x.dispose();
      expect(predictions[k].top[0].probability).toBeCloseTo(Math.max(...probs), 5);
    }
    m.dispose();
  });

  it('names the file that cannot be read', async () => {
    const dir = await tempDir('predict-bad');
    const bad = path.join(dir, 'notes.png');
    await writeFile(bad, 'not an image');
    await expect(predictWithRun(backend, { dir: runDir, files: [bad] })).rejects.toThrow(UnreadableImageError);
    await expect(predictWithRun(backend, { dir: runDir, files: [path.join(dir, 'missing.png')] })).rejects.toThrow(/cannot read image .*missing\.png: no such file/);
  });
});

describe('evaluate and predict on any model folder', () => {
  /** A model folder as an import leaves it: model.json and weights, no run.json, no classes.json. */
  async function importLike(): Promise<string> {
    const dir = path.join(await tempDir('eval-import'), 'theirs');
    const model = await loadModelFromDir(backend.tf, path.join(runDir, 'model'));
    await saveModelAtomic(backend.tf, model, dir, {});
    model.dispose();
    return dir;
  }

  it("evaluates a folder that is not a run on the dataset given, as the run's own model scores, with the report beside it", async () => {
    const dir = await importLike();
    const r = await evaluateRun(backend, { dir, dataset: 'digits', loadDataset: async (id) => ({ ...dataset, id }) });
    const fromRun = await evaluateRun(backend, { dir: runDir, loadDataset: async () => dataset });
    expect(r).toMatchObject({ set: 'test', model: 'final', count: 100 });
    expect(r.setDescription).toBe('the test set of digits (100 images)');
    expect(r.accuracy).toBe(fromRun.accuracy);
    expect(r.confusion).toEqual(fromRun.confusion);
    expect(r.dir).toBe(path.join(dir, 'evaluation'));
    expect(JSON.parse(await readFile(path.join(dir, 'evaluation', 'evaluation.json'), 'utf8')).accuracy).toBe(r.accuracy);
  });

  it('asks for a dataset where the folder names none, and refuses one that does not fit the model', async () => {
    const dir = await importLike();
    await expect(evaluateRun(backend, { dir, loadDataset: async () => dataset })).rejects.toThrow(/is not a run, so it names no dataset: give one with --dataset REF/);
    const threeClasses = { ...dataset, classNames: ['a', 'b', 'c'] };
    await expect(evaluateRun(backend, { dir, dataset: 'abc', loadDataset: async () => threeClasses })).rejects.toThrow(
      /has 3 classes; the model in .*theirs has 10 outputs/,
    );
    await expect(evaluateRun(backend, { dir, model: 'best', dataset: 'x', loadDataset: async () => dataset })).rejects.toThrow(/no best checkpoint/);
  });

  it("takes a run's model/ folder as its run: its dataset, its report folder", async () => {
    const r = await evaluateRun(backend, { dir: path.join(runDir, 'model'), loadDataset: async () => dataset });
    expect(r).toMatchObject({ set: 'test', model: 'final', count: 100, dir: path.join(runDir, 'evaluation') });
  });

  it('predicts with a folder that is not a run: classes are output indices, or the names of the dataset given', async () => {
    const dir = await importLike();
    const file = path.join(dir, 'digit.png');
    await sharp(Buffer.from(dataset.test!.images.subarray(0, SIZE)), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(file);
    const fromRun = await predictWithRun(backend, { dir: runDir, files: [file], top: 2 });
    const plain = await predictWithRun(backend, { dir, files: [file], top: 2 });
    expect(plain.predictions[0].top.map((t) => t.index)).toEqual(fromRun.predictions[0].top.map((t) => t.index));
    expect(plain.predictions[0].top.map((t) => t.label)).toEqual(fromRun.predictions[0].top.map((t) => String(t.index)));
    const names = dataset.classNames.map((n) => `digit ${n}`);
    const named = await predictWithRun(backend, { dir, files: [file], top: 2, dataset: 'named', loadDataset: async () => ({ ...dataset, classNames: names }) });
    expect(named.predictions[0].top.map((t) => t.label)).toEqual(fromRun.predictions[0].top.map((t) => names[t.index]));
  });
});
