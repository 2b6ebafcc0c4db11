/**
 * model:import, model:predict and training:start's initialWeights at the service's edge, with a fake host:
 * malformed payloads, names with folders in them, oversize uploads and wrong file sets are refused before any
 * process starts; Electron takes files from main's dialogs; uploads are staged only while the job runs; and
 * the WebSocket carries an upload larger than the old 2 MB limit.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  fail,
  ok,
  UPLOAD_LIMITS,
  WS_MAX_MESSAGE_BYTES,
  type AppMode,
  type Result,
  type UploadedFile,
  type WsServerMessage,
} from '../../../common/contract.js';
import { startHttpServer } from '../../../main/server/http-server.js';
import { createService } from '../../../main/service/service.js';
import type { Dialogs, FileFilter } from '../../../main/service/types.js';
import { uploads } from '../../../common/uploads.js';
import { FakeHost } from './fake-host.js';
import { tinyExperiment } from './model-fixtures.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const file = (name: string, text = 'bytes'): UploadedFile => ({ name, contentBase64: b64(text) });

function setup(mode: AppMode, dialogs?: Dialogs) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lb-models-'));
  const host = new FakeHost();
  const service = createService({
    mode,
    dataDir,
    version: '0',
    versions: { node: process.versions.node },
    host,
    emit: () => {},
    ...(dialogs ? { dialogs } : {}),
  });
  return { dataDir, host, service };
}

function writeRun(dataDir: string, runId: string) {
  const dir = path.join(dataDir, 'runs', runId);
  mkdirSync(path.join(dir, 'model'), { recursive: true });
  const experiment = tinyExperiment();
  const dataset = { id: 'mnist', name: 'MNIST', source: 'bundled', inputShape: [8, 8, 1], classNames: ['a', 'b'] };
  writeFileSync(
    path.join(dir, 'run.json'),
    JSON.stringify({ version: 1, name: runId, createdAt: '2026-01-01T00:00:00Z', experiment, dataset, versions: {}, status: 'finished' }),
  );
  writeFileSync(path.join(dir, 'epochs.jsonl'), '');
  return dir;
}

const code = (r: Result<unknown>) => (r.ok ? 'ok' : r.error.code);
const message = (r: Result<unknown>) => (r.ok ? '' : r.error.message);

describe('model:import payloads', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => (s = setup('browser')));

  it.each([
    ['a name with a folder', { files: [file('../model.keras')] }, 'files.0.name'],
    ['a Windows path', { files: [file('C:\\models\\model.keras')] }, 'files.0.name'],
    ['a nested name', { files: [file('weights/model.keras')] }, 'files.0.name'],
    ['"..", not a file name', { files: [file('..')] }, 'files.0.name'],
    ['a control character', { files: [file('mo\u0000del.keras')] }, 'files.0.name'],
    ['content that is not base64', { files: [{ name: 'm.keras', contentBase64: 'not base64!' }] }, 'files.0.contentBase64'],
    ['an empty file', { files: [{ name: 'm.keras', contentBase64: '' }] }, 'files.0.contentBase64'],
    ['no files at all', { files: [] }, 'files'],
    ['a file without content', { files: [{ name: 'm.keras' }] }, 'files.0.contentBase64'],
    ['an unknown field', { files: [file('m.keras')], path: '/etc/passwd' }, ''],
    ['the same name twice', { files: [file('model.json'), file('model.json')] }, 'files.1.name'],
  ])('refuses %s with INVALID_REQUEST naming the field', async (_what, payload, field) => {
    const answer = await s.service.handle('model:import', payload);
    expect(answer).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    if (!answer.ok) expect((answer.error.details as { issues: { path: string }[] }).issues.map((i) => i.path)).toContain(field);
    expect(s.host.tools).toHaveLength(0);
  });

  it('refuses a model upload that is not one Keras file or a model.json with every weights file it lists', async () => {
    const manifest = (paths: string[]) => b64(JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths, weights: [] }] }));
    const cases: [UploadedFile[], string, RegExp][] = [
      [[file('a.keras'), file('b.bin')], 'INVALID_REQUEST', /one \.keras or \.h5 file on its own/],
      [[file('notes.txt')], 'INVALID_REQUEST', /model\.json with its weight files/],
      [
        [{ name: 'model.json', contentBase64: manifest(['./group1-shard1of1.bin']) }],
        'INVALID_REQUEST',
        /needs the weights file "group1-shard1of1\.bin"/,
      ],
      [[{ name: 'model.json', contentBase64: manifest(['../secret.bin']) }, file('secret.bin')], 'SPEC_INVALID', /outside its own folder/],
      [[file('model.json', '{not json')], 'SPEC_INVALID', /model\.json is not valid JSON/],
    ];
    for (const [files, expected, pattern] of cases) {
      const answer = await s.service.handle('model:import', { files });
      expect(code(answer)).toBe(expected);
      expect(message(answer)).toMatch(pattern);
    }
    expect(s.host.tools).toHaveLength(0);
  });

  it('browser mode needs the files: there is no dialog to show', async () => {
    expect(message(await s.service.handle('model:import', {}))).toMatch(/in browser mode, send the model file/);
  });

  it('stages uploads for the job only, under the data folder, and shows the user their own file names', async () => {
    s.host.toolAnswer = (job) =>
      fail('SPEC_INVALID', `${job.mode === 'import' ? job.file : ''}: layer 2 "x" (LSTM): layer type LSTM is not supported`);
    const answer = await s.service.handle('model:import', { files: [file('their model.keras')] });
    expect(answer).toMatchObject({
      ok: false,
      error: { code: 'SPEC_INVALID', message: 'their model.keras: layer 2 "x" (LSTM): layer type LSTM is not supported' },
    });
    const [{ job, filesExisted }] = s.host.tools;
    expect(filesExisted).toBe(true);
    expect(job).toMatchObject({ mode: 'import', source: 'their model.keras (Keras 3 .keras)' });
    if (job.mode !== 'import') return;
    expect(job.file.startsWith(path.join(s.dataDir, 'uploads') + path.sep)).toBe(true);
    expect(path.dirname(job.outDir)).toBe(path.join(s.dataDir, 'imports'));
    expect(path.basename(job.outDir)).toMatch(/^\d{8}-\d{6}-their-model$/);
    expect(readdirSync(path.join(s.dataDir, 'uploads'))).toEqual([]);
  });

  it('the limits: per file, in total, and the WebSocket message that must carry them', () => {
    const schema = uploads({ maxFiles: 3, maxFileBytes: 10, maxTotalBytes: 15 });
    const bytes = (n: number) => ({ name: `f${n}`, contentBase64: Buffer.alloc(n, 1).toString('base64') });
    expect(schema.safeParse([bytes(10)]).success).toBe(true);
    expect(schema.safeParse([bytes(11)]).error?.issues[0].message).toMatch(/larger than/);
    expect(
      schema.safeParse([
        { ...bytes(8), name: 'a' },
        { ...bytes(8), name: 'b' },
      ]).error?.issues[0].message,
    ).toMatch(/together are larger/);
    expect(schema.safeParse([bytes(1), { ...bytes(1), name: 'x' }, { ...bytes(1), name: 'y' }, { ...bytes(1), name: 'z' }]).success).toBe(
      false,
    );
    // The largest model upload, as base64 inside its JSON request, fits in one WebSocket message.
    expect(Math.ceil(UPLOAD_LIMITS.modelBytes / 3) * 4 + 64 * 1024).toBeLessThan(WS_MAX_MESSAGE_BYTES);
    expect(Math.ceil(UPLOAD_LIMITS.imagesTotalBytes / 3) * 4 + 64 * 1024).toBeLessThan(WS_MAX_MESSAGE_BYTES);
  });
});

describe('model:predict payloads', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => {
    s = setup('browser');
    writeRun(s.dataDir, 'a-run');
  });

  it.each([
    ['no run id', { images: [file('a.png')] }, 'runId'],
    ['a run id with a folder', { runId: '../a-run', images: [file('a.png')] }, 'runId'],
    ['an image name with a folder', { runId: 'a-run', images: [file('pics/a.png')] }, 'images.0.name'],
    ['top 0', { runId: 'a-run', images: [file('a.png')], top: 0 }, 'top'],
    ['an unknown model', { runId: 'a-run', images: [file('a.png')], model: 'newest' }, 'model'],
    ['too many images', { runId: 'a-run', images: Array.from({ length: UPLOAD_LIMITS.images + 1 }, (_, i) => file(`${i}.png`)) }, 'images'],
  ])('refuses %s', async (_what, payload, field) => {
    const answer = await s.service.handle('model:predict', payload);
    expect(answer).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    if (!answer.ok) expect((answer.error.details as { issues: { path: string }[] }).issues.map((i) => i.path)).toContain(field);
  });

  it('refuses an image over the size limit without decoding it', async () => {
    const big = { name: 'huge.png', contentBase64: 'A'.repeat(Math.ceil(UPLOAD_LIMITS.imageBytes / 3) * 4 + 8) };
    const answer = await s.service.handle('model:predict', { runId: 'a-run', images: [big] });
    expect(answer).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    expect(message(answer)).toMatch(/images\.0\.contentBase64: larger than 32 MB/);
    expect(s.host.tools).toHaveLength(0);
  });

  it('answers NOT_FOUND for an unknown run, and passes names, top and model to the job', async () => {
    expect(code(await s.service.handle('model:predict', { runId: 'no-such-run', images: [file('a.png')] }))).toBe('NOT_FOUND');
    s.host.toolAnswer = () => ok({ mode: 'predict', predictions: [{ file: 'a.png', top: [] }] });
    const answer = await s.service.handle('model:predict', {
      runId: 'a-run',
      images: [file('a.png'), file('b.png')],
      top: 5,
      model: 'best',
    });
    expect(answer).toEqual({ ok: true, value: { canceled: false, predictions: [{ file: 'a.png', top: [] }] } });
    expect(s.host.tools[0]).toMatchObject({
      filesExisted: true,
      job: { mode: 'predict', top: 5, model: 'best', runDir: path.join(s.dataDir, 'runs', 'a-run') },
    });
    const job = s.host.tools[0].job;
    if (job.mode === 'predict') expect(job.images.map((i) => i.name)).toEqual(['a.png', 'b.png']);
    expect(readdirSync(path.join(s.dataDir, 'uploads'))).toEqual([]);
  });
});

describe('model:predict with an imported model', () => {
  /** An import as model:import leaves it: imports/<id>/ with model.json and experiment.json. */
  function writeImport(dataDir: string, importId: string) {
    const dir = path.join(dataDir, 'imports', importId);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'model.json'), '{}');
    writeFileSync(path.join(dir, 'experiment.json'), JSON.stringify(tinyExperiment()));
    return dir;
  }

  it("passes the import's folder to the job", async () => {
    const s = setup('browser');
    const dir = writeImport(s.dataDir, '20260101-000000-theirs');
    s.host.toolAnswer = () => ok({ mode: 'predict', predictions: [{ file: 'a.png', top: [] }] });
    const answer = await s.service.handle('model:predict', { importId: '20260101-000000-theirs', images: [file('a.png')] });
    expect(answer).toEqual({ ok: true, value: { canceled: false, predictions: [{ file: 'a.png', top: [] }] } });
    expect(s.host.tools[0]).toMatchObject({ job: { mode: 'predict', top: 3, runDir: dir } });
  });

  it('answers NOT_FOUND for an unknown import, and refuses both ids, neither, or a checkpoint of an import', async () => {
    const s = setup('browser');
    writeImport(s.dataDir, '20260101-000000-theirs');
    writeRun(s.dataDir, 'a-run');
    const images = [file('a.png')];
    expect(code(await s.service.handle('model:predict', { importId: '20260101-000000-other', images }))).toBe('NOT_FOUND');
    const both = await s.service.handle('model:predict', { runId: 'a-run', importId: '20260101-000000-theirs', images });
    expect(message(both)).toMatch(/importId: give runId or importId, not both/);
    expect(message(await s.service.handle('model:predict', { images }))).toMatch(/runId: give runId \(a run\) or importId/);
    expect(code(await s.service.handle('model:predict', { importId: '../imports', images }))).toBe('INVALID_REQUEST');
    const best = await s.service.handle('model:predict', { importId: '20260101-000000-theirs', model: 'best', images });
    expect(message(best)).toMatch(/an imported model has no best checkpoint/);
    expect(s.host.tools).toHaveLength(0);
  });
});

describe('runs:evaluate with an imported model', () => {
  const importId = '20260101-000000-digits';
  /** An import of a 28x28x1 model with `outputs` classes, as model:import leaves it. */
  function writeImport(dataDir: string, outputs: number, inputShape = [28, 28, 1]) {
    const dir = path.join(dataDir, 'imports', importId);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'model.json'), '{}');
    const model = { inputShape, layers: [{ type: 'Flatten' }, { type: 'Dense', units: outputs, activation: 'softmax' }] };
    writeFileSync(path.join(dir, 'experiment.json'), JSON.stringify({ ...tinyExperiment(), model }));
    return dir;
  }

  it("evaluates the import's folder on the dataset asked for and answers the report written there", async () => {
    const s = setup('browser');
    const dir = writeImport(s.dataDir, 10);
    // The training process writes evaluation/evaluation.json in the folder it was given, then exits.
    s.host.whenExited = async () => {
      const report = { set: 'test', setDescription: 'the test set', model: 'final', count: 4, loss: 0.5, accuracy: 0.75 };
      const rest = {
        classNames: ['0', '1'],
        confusion: [
          [2, 0],
          [1, 1],
        ],
        perClass: [],
        misclassified: [],
        images: [],
        evaluatedAt: 'now',
      };
      mkdirSync(path.join(dir, 'evaluation'));
      writeFileSync(path.join(dir, 'evaluation', 'evaluation.json'), JSON.stringify({ ...report, ...rest }));
      return { code: 0, signal: null, reason: 'ended' as const, status: 'finished' as const, message: '', epochsDone: 0 };
    };
    const answer = await s.service.handle('runs:evaluate', { importId, datasetId: 'mnist' });
    expect(answer).toMatchObject({
      ok: true,
      value: {
        accuracy: 0.75,
        count: 4,
        confusion: [
          [2, 0],
          [1, 1],
        ],
      },
    });
    expect(s.host.started).toEqual([
      expect.objectContaining({ mode: 'evaluate', runId: importId, dir, datasetId: 'mnist', evaluateOn: 'mnist' }),
    ]);
  });

  it('refuses a model whose input or outputs do not fit the dataset, naming both, before any process starts', async () => {
    const s = setup('browser');
    writeImport(s.dataDir, 10, [32, 32, 3]);
    const shape = await s.service.handle('runs:evaluate', { importId, datasetId: 'mnist' });
    expect(code(shape)).toBe('SPEC_INVALID');
    expect(message(shape)).toMatch(/cannot be evaluated on MNIST.*: the model takes 32x32x3 images and the dataset has 28x28x1/);
    writeImport(s.dataDir, 2);
    expect(message(await s.service.handle('runs:evaluate', { importId, datasetId: 'mnist' }))).toMatch(
      /the model has 2 outputs and the dataset has 10 classes/,
    );
    expect(s.host.started).toHaveLength(0);
  });

  it('needs a dataset for an import, exactly one of runId and importId, and an import and a dataset that exist', async () => {
    const s = setup('browser');
    writeImport(s.dataDir, 10);
    writeRun(s.dataDir, 'a-run');
    expect(message(await s.service.handle('runs:evaluate', { importId }))).toMatch(/datasetId: an imported model names no dataset/);
    const both = await s.service.handle('runs:evaluate', { runId: 'a-run', importId, datasetId: 'mnist' });
    expect(message(both)).toMatch(/importId: give runId or importId, not both/);
    expect(message(await s.service.handle('runs:evaluate', {}))).toMatch(/runId: give runId \(a run\) or importId/);
    expect(message(await s.service.handle('runs:evaluate', { runId: 'a-run', datasetId: 'mnist' }))).toMatch(/datasetId/);
    const gone = await s.service.handle('runs:evaluate', { importId: '20260101-000000-gone', datasetId: 'mnist' });
    expect(code(gone)).toBe('NOT_FOUND');
    const unknown = await s.service.handle('runs:evaluate', { importId, datasetId: 'folder:/nowhere' });
    expect(message(unknown)).toMatch(/unknown dataset "folder:\/nowhere"/);
    expect(s.host.started).toHaveLength(0);
  });
});

describe('Electron: files come from main dialogs', () => {
  it('model:import opens the file dialog for Keras and TensorFlow.js files; a cancel is not an error', async () => {
    const asked: { title: string; filters: FileFilter[] }[] = [];
    let pick: string | null = null;
    const dialogs: Dialogs = {
      pickDirectory: async () => null,
      pickFile: async (title, filters) => (asked.push({ title, filters }), pick),
      pickFiles: async () => null,
      saveFile: async () => null,
    };
    const s = setup('electron', dialogs);
    expect(await s.service.handle('model:import', {})).toEqual({ ok: true, value: { canceled: true } });
    expect(asked[0].filters[0].extensions).toEqual(expect.arrayContaining(['keras', 'h5', 'json']));
    pick = '/home/me/models/cats/manifest.json';
    expect(message(await s.service.handle('model:import', {}))).toMatch(/read from the model\.json beside its weight files/);
    pick = '/home/me/models/cats/model.json';
    s.host.toolAnswer = () => ok({ mode: 'import', experiment: tinyExperiment(), warnings: [] });
    const answer = (await s.service.handle('model:import', {})) as Result<{ canceled: boolean; importId?: string }>;
    expect(answer).toMatchObject({ ok: true, value: { canceled: false, source: 'model.json (TensorFlow.js layers model)', warnings: [] } });
    if (answer.ok && !answer.value.canceled) expect(answer.value.importId).toMatch(/^\d{8}-\d{6}-cats$/);
    expect(s.host.tools.at(-1)?.job).toMatchObject({ mode: 'import', file: pick });
  });

  it('model:predict opens a multi-select image dialog and names each file by its base name', async () => {
    let filters: FileFilter[] = [];
    let pick: string[] | null = null;
    const dialogs: Dialogs = {
      pickDirectory: async () => null,
      pickFile: async () => null,
      pickFiles: async (_title, f) => ((filters = f), pick),
      saveFile: async () => null,
    };
    const s = setup('electron', dialogs);
    writeRun(s.dataDir, 'a-run');
    expect(await s.service.handle('model:predict', { runId: 'a-run' })).toEqual({ ok: true, value: { canceled: true } });
    // The formats predict decodes, the same as dataset imports read: BMP yes, TIFF no.
    expect([...filters[0].extensions].sort()).toEqual(['bmp', 'gif', 'jpeg', 'jpg', 'png', 'webp']);
    pick = ['/pics/one.png', '/pics/two.jpg'];
    s.host.toolAnswer = () => ok({ mode: 'predict', predictions: [] });
    expect(code(await s.service.handle('model:predict', { runId: 'a-run' }))).toBe('ok');
    expect(s.host.tools[0].job).toMatchObject({
      images: [
        { path: '/pics/one.png', name: 'one.png' },
        { path: '/pics/two.jpg', name: 'two.jpg' },
      ],
    });
  });
});

describe('training:start initialWeights', () => {
  it('refuses a malformed import id, and an import that does not exist', async () => {
    const s = setup('browser');
    const request = (importId: string) => ({
      experiment: {
        model: { inputShape: [28, 28, 1], layers: [{ type: 'Flatten' }, { type: 'Dense', units: 10, activation: 'softmax' }] },
      },
      datasetId: 'mnist',
      initialWeights: { importId },
    });
    expect(code(await s.service.handle('training:start', request('../../etc')))).toBe('INVALID_REQUEST');
    const missing = await s.service.handle('training:start', request('20260101-000000-gone'));
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(message(missing)).toMatch(/no imported model "20260101-000000-gone"/);
    expect(s.host.started).toHaveLength(0);
    expect(existsSync(path.join(s.dataDir, 'runs'))).toBe(false);
  });
});

describe('browser mode transport', () => {
  it('carries an upload larger than the old 2 MB message limit to the service', async () => {
    const s = setup('browser');
    s.host.toolAnswer = () => fail('SPEC_INVALID', 'not a zip');
    const server = await startHttpServer({ port: 0, rendererDir: s.dataDir, token: 't0ken', handle: s.service.handle });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=t0ken`, { headers: { origin: `http://127.0.0.1:${server.port}` } });
      await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
      const content = Buffer.alloc(3 * 1024 * 1024, 7).toString('base64');
      const reply = new Promise<WsServerMessage>((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))));
      ws.send(JSON.stringify({ id: 1, channel: 'model:import', payload: { files: [{ name: 'big.keras', contentBase64: content }] } }));
      expect(await reply).toEqual({ id: 1, result: { ok: false, error: { code: 'SPEC_INVALID', message: 'not a zip' } } });
      expect(s.host.tools[0].filesExisted).toBe(true);
      ws.close();
    } finally {
      await server.close();
    }
  });
});
