/**
 * model:import and model:predict end to end through the service and real training processes (the compiled
 * dist/main/host/training-process.js, as browser mode runs it), on a .keras file that main/export wrote from
 * a tiny trained model: the import round-trips its weights, a run started from them begins where the
 * imported model is (its first-batch loss is the imported model's loss on that batch; a fresh start's is
 * not), and predictions match the model's own with a broken image reported by name. Needs `npm run build`.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type {
  EvaluationReport,
  EventName,
  Events,
  ModelImportResponse,
  Prediction,
  Result,
  UploadedFile,
} from '../../../common/contract.js';
import { loadDataset } from '../../../main/data/registry.js';
import { decodeImageFile, predictPixels } from '../../../main/engine/predict.js';
import { loadModelFromDir } from '../../../main/engine/save.js';
import type { EngineBackend, LayersModel, Tensor } from '../../../main/engine/tf-types.js';
import { TrainingHost } from '../../../main/host/training-host.js';
import { createService, type Service } from '../../../main/service/service.js';
import { bmpBytes } from '../data/fixtures.js';
import { testBackend } from '../helpers/backend.js';
import { grey, tinyExperiment, TINY_MODEL, trainedKerasFile, upload, withLayerClass, writeImageFolder } from './model-fixtures.js';

const ENTRY = fileURLToPath(new URL('../../../dist/main/host/training-process.js', import.meta.url));

let backend: EngineBackend;
let service: Service;
let host: TrainingHost;
let work: string;
let folder: string;
let datasetId: string;
let keras: { file: string; runDir: string };
const events: { event: EventName; payload: unknown }[] = [];

async function value<T>(p: Promise<Result<unknown>>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

beforeAll(async () => {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run \`npm run build:main\` before these tests`);
  backend = await testBackend();
  work = mkdtempSync(path.join(os.tmpdir(), 'lb-import-'));
  folder = await writeImageFolder(path.join(work, 'shades'));
  keras = await trainedKerasFile(backend, folder, work);
  const emit = <E extends EventName>(event: E, payload: Events[E]) => void events.push({ event, payload });
  host = new TrainingHost({ emit, entry: ENTRY });
  service = createService({
    mode: 'browser',
    dataDir: path.join(work, 'data'),
    version: '0',
    versions: { node: process.versions.node },
    host,
    emit,
  });
  const imported = await value<{ dataset: { id: string } }>(service.handle('dataset:import', { kind: 'folder', path: folder }));
  datasetId = imported.dataset.id;
}, 120_000);

function predictOn(model: LayersModel, x: Tensor): Float32Array {
  const y = model.predict(x) as Tensor;
  const data = y.dataSync() as Float32Array;
  y.dispose();
  return data;
}

async function importUpload(files: UploadedFile[]): Promise<ModelImportResponse> {
  const answer = await value<ModelImportResponse & { canceled: boolean }>(service.handle('model:import', { files }));
  expect(answer.canceled).toBe(false);
  return answer;
}

/** Trains one epoch of a single batch holding every image, so its one batch event's loss is the starting loss. */
async function firstBatchLoss(importId?: string): Promise<{ loss: number; runId: string }> {
  const experiment = tinyExperiment({ batchSize: 24, seed: 11 });
  const started = await value<{ runId: string }>(
    service.handle('training:start', { experiment, datasetId, ...(importId ? { initialWeights: { importId } } : {}) }),
  );
  const exit = await host.whenExited(started.runId);
  expect(exit).toMatchObject({ reason: 'ended', status: 'finished' });
  const batches = events.flatMap((e) => {
    const p = e.payload as Events['training:event'];
    return e.event === 'training:event' && p.runId === started.runId && p.event.type === 'batch' ? [p.event] : [];
  });
  expect(batches).toHaveLength(1);
  return { loss: batches[0].batchLoss, runId: started.runId };
}

describe('model:import in a training process', () => {
  let imported: ModelImportResponse;

  it('imports a .keras written by main/export: the spec for the editor, the weights in imports/<id>/', async () => {
    imported = await importUpload([upload(keras.file)]);
    expect(imported.importId).toMatch(/^\d{8}-\d{6}-tiny$/);
    expect(imported.source).toBe('tiny.keras (Keras 3 .keras)');
    expect(imported.experiment.model.inputShape).toEqual([8, 8, 1]);
    expect(imported.experiment.model.layers.map((l) => l.type)).toEqual(TINY_MODEL.layers.map((l) => l.type));
    const dir = path.join(work, 'data', 'imports', imported.importId);
    expect(JSON.parse(readFileSync(path.join(dir, 'import.json'), 'utf8')).source).toBe(imported.source);
    // Same weights: the imported model predicts what the trained one does.
    const original = await loadModelFromDir(backend.tf, path.join(keras.runDir, 'model'));
    const copy = await loadModelFromDir(backend.tf, dir);
    const x = backend.tf.randomUniform([5, 8, 8, 1]);
    const a = predictOn(original, x);
    const b = predictOn(copy, x);
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeLessThan(1e-6);
    [original, copy, x].forEach((t) => t.dispose());
  });

  it('imports a TensorFlow.js model.json sent with its weights file, whatever the JSON file is called', async () => {
    const dir = path.join(keras.runDir, 'model');
    const answer = await importUpload([upload(path.join(dir, 'model.json'), 'tiny-web.json'), upload(path.join(dir, 'weights.bin'))]);
    expect(answer.source).toBe('tiny-web.json (TensorFlow.js layers model)');
    expect(answer.importId).toMatch(/-tiny-web$/);
    expect(answer.experiment.model.layers).toHaveLength(TINY_MODEL.layers.length);
    expect(answer.warnings[0]).toMatch(/no training settings/);
  });

  it('names each unsupported layer, with SPEC_INVALID, and keeps the staging folder out of the message', async () => {
    const content = withLayerClass(keras.file, 'Conv2D', 'Conv3D').toString('base64');
    const answer = await service.handle('model:import', { files: [{ name: 'newer.keras', contentBase64: content }] });
    expect(answer).toMatchObject({ ok: false, error: { code: 'SPEC_INVALID' } });
    if (answer.ok) return;
    expect(answer.error.message).toMatch(/^newer\.keras: .*layer \d+ "[^"]+" \(Conv3D\): layer type Conv3D is not supported/s);
    expect(answer.error.message).not.toContain('uploads');
  });

  it('a run started from the import begins with its weights: first-batch loss = the imported model on that batch', async () => {
    const fromImport = await firstBatchLoss(imported.importId);
    const fresh = await firstBatchLoss();
    // The imported model's own loss on every training image (the one batch), computed here.
    const dataset = await loadDataset(`folder:${folder}`);
    const { tf } = backend;
    const model = await loadModelFromDir(tf, path.join(work, 'data', 'imports', imported.importId));
    const n = dataset.train.count;
    const loss = tf.tidy(() => {
      const x = tf.tensor4d(dataset.train.images, [n, 8, 8, 1], 'float32').div(255);
      const y = tf.oneHot(tf.tensor1d(Array.from(dataset.train.labels), 'int32'), 2);
      return tf.losses.softmaxCrossEntropy(y, tf.log(model.predict(x) as Tensor)).dataSync()[0];
    });
    model.dispose();
    expect(loss).toBeLessThan(0.5); // the imported model learned: chance is ln 2 = 0.69
    expect(Math.abs(fromImport.loss - loss)).toBeLessThan(1e-4);
    expect(Math.abs(fresh.loss - loss)).toBeGreaterThan(0.1);
    const run = JSON.parse(readFileSync(path.join(work, 'data', 'runs', fromImport.runId, 'run.json'), 'utf8'));
    expect(run.initializedFrom).toMatchObject({ importId: imported.importId, source: 'tiny.keras (Keras 3 .keras)' });
    expect(JSON.parse(readFileSync(path.join(work, 'data', 'runs', fresh.runId, 'run.json'), 'utf8')).initializedFrom).toBeUndefined();
  });

  it('refuses a spec whose layers do not fit the imported weights, naming the layer', async () => {
    const wider = { ...TINY_MODEL, layers: [{ ...TINY_MODEL.layers[0], filters: 4 }, ...TINY_MODEL.layers.slice(1)] };
    const answer = await service.handle('training:start', {
      experiment: tinyExperiment({}, wider as typeof TINY_MODEL),
      datasetId,
      initialWeights: { importId: imported.importId },
    });
    expect(answer).toMatchObject({ ok: false, error: { code: 'SPEC_INVALID' } });
    if (!answer.ok)
      expect(answer.error.message).toMatch(/layer 1 \(conv2d[^,]*, Conv2D\): the imported weights hold 30 parameters, this layer needs 40/);
  });
});

describe('model:predict in a training process', () => {
  it("gives each image's classes with probabilities, as the model itself does, and a broken image its own error", async () => {
    const { runId } = await firstBatchLoss();
    const light = path.join(work, 'light.png');
    await writeFile(light, await grey(200, 99));
    const png = readFileSync(light);
    // The same image as a BMP, a format dataset imports read: predicted alike.
    const bmp = bmpBytes(8, 8, await sharp(png).toColourspace('srgb').raw().toBuffer());
    const images = [
      upload(light),
      { name: 'light.bmp', contentBase64: bmp.toString('base64') },
      { name: 'cut off.png', contentBase64: png.subarray(0, 40).toString('base64') },
      { name: 'notes.png', contentBase64: Buffer.from('not an image at all').toString('base64') },
      { name: 'empty.png', contentBase64: '' },
    ];
    const answer = await value<{ predictions: Prediction[] }>(service.handle('model:predict', { runId, images, top: 2 }));
    const [good, asBmp, cut, text, empty] = answer.predictions;
    expect(asBmp).toEqual({ ...good, file: 'light.bmp' });
    expect(good.file).toBe('light.png');
    expect(good.error).toBeUndefined();
    expect(good.top.map((t) => t.className).sort()).toEqual(['dark', 'light']);
    expect(good.top.reduce((sum, t) => sum + t.probability, 0)).toBeCloseTo(1, 5);
    // The same top class and probability as the run's saved model gives the same pixels.
    const model = await loadModelFromDir(backend.tf, path.join(work, 'data', 'runs', runId, 'model'));
    const [own] = await predictPixels(backend.tf, model, [await decodeImageFile(light, [8, 8, 1])], [8, 8, 1], ['dark', 'light'], 2);
    model.dispose();
    expect(good.top[0]).toMatchObject({ classIndex: own[0].index, className: own[0].label });
    expect(good.top[0].probability).toBeCloseTo(own[0].probability, 5);
    for (const [p, name] of [
      [cut, 'cut off.png'],
      [text, 'notes.png'],
      [empty, 'empty.png'],
    ] as const) {
      expect(p).toMatchObject({ file: name, top: [] });
      expect(p.error).toMatch(new RegExp(`^cannot read image ${name}: `));
      expect(p.error).not.toContain('uploads');
      // Each error is about its own image only (parallel decodes once mixed libvips's errors).
      for (const other of ['cut off.png', 'notes.png', 'empty.png'].filter((o) => o !== name)) expect(p.error).not.toContain(other);
    }
  });

  it('classifies with an imported model (importId): its classes by output index, as the model itself gives them', async () => {
    const { importId } = await importUpload([upload(keras.file)]);
    const light = path.join(work, 'light-import.png');
    await writeFile(light, await grey(200, 98));
    const answer = await value<{ predictions: Prediction[] }>(
      service.handle('model:predict', { importId, images: [upload(light)], top: 2 }),
    );
    const [p] = answer.predictions;
    expect(p.error).toBeUndefined();
    const model = await loadModelFromDir(backend.tf, path.join(work, 'data', 'imports', importId));
    const [own] = await predictPixels(backend.tf, model, [await decodeImageFile(light, [8, 8, 1])], [8, 8, 1], ['0', '1'], 2);
    model.dispose();
    expect(p.top.map((t) => t.className).sort()).toEqual(['0', '1']);
    expect(p.top[0]).toMatchObject({ classIndex: own[0].index, className: own[0].label });
    expect(p.top[0].probability).toBeCloseTo(own[0].probability, 5);
  });
});

describe('runs:evaluate of an imported model in a training process', () => {
  it("scores the import on the dataset asked for as the model itself does, and keeps the report in the import's folder", async () => {
    const { importId } = await importUpload([upload(keras.file)]);
    const report = await value<EvaluationReport>(service.handle('runs:evaluate', { importId, datasetId }));
    // The model's own predictions on every image (the folder has no test set, so all are scored, said plainly).
    const dataset = await loadDataset(`folder:${folder}`);
    const { tf } = backend;
    const model = await loadModelFromDir(tf, path.join(work, 'data', 'imports', importId));
    const n = dataset.train.count;
    const predicted = tf.tidy(() =>
      Array.from((model.predict(tf.tensor4d(dataset.train.images, [n, 8, 8, 1], 'float32').div(255)) as Tensor).argMax(-1).dataSync()),
    );
    model.dispose();
    const right = predicted.filter((p, i) => p === dataset.train.labels[i]).length;
    expect(report).toMatchObject({ set: 'training', model: 'final', count: n, classNames: dataset.classNames });
    expect(report.accuracy).toBeCloseTo(right / n, 6);
    expect(report.confusion.flat().reduce((a, b) => a + b, 0)).toBe(n);
    const written = path.join(work, 'data', 'imports', importId, 'evaluation', 'evaluation.json');
    expect(JSON.parse(readFileSync(written, 'utf8'))).toMatchObject({ accuracy: report.accuracy, count: n });
  });
});
