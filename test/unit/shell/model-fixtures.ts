/**
 * Small real things for the model:import / model:predict tests: a folder of 8x8 greyscale PNGs in two
 * classes, a tiny CNN trained on it for a few epochs in this process, and that model exported as a .keras file
 * by main/export, as `layerbench export` writes it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import type { UploadedFile } from '../../../common/contract.js';
import { mulberry32 } from '../../../common/random.js';
import { DEFAULT_TRAINING, type ExperimentSpec, type ModelSpec } from '../../../common/spec.js';
import { loadDataset } from '../../../main/data/registry.js';
import type { EngineBackend } from '../../../main/engine/tf-types.js';
import { exportModel } from '../../../main/export/export-run.js';
import { startRun } from '../../../main/runs/run-training.js';

export const TINY_MODEL: ModelSpec = {
  name: 'tiny',
  inputShape: [8, 8, 1],
  layers: [
    { type: 'Conv2D', filters: 3, kernelSize: 3, activation: 'relu' },
    { type: 'Flatten' },
    { type: 'Dense', units: 2, activation: 'softmax' },
  ],
};

/** Class `dark` images are mostly dark, `light` ones mostly light, with seeded noise. */
export function grey(level: number, seed: number): Promise<Buffer> {
  const random = mulberry32(seed);
  const pixels = Buffer.from(Array.from({ length: 64 }, () => Math.max(0, Math.min(255, Math.round(level + (random() - 0.5) * 120)))));
  // Kept one channel, so the folder imports as greyscale (8x8x1).
  return sharp(pixels, { raw: { width: 8, height: 8, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toBuffer();
}

export async function writeImageFolder(root: string, perClass = 12): Promise<string> {
  for (const [c, level] of [
    ['dark', 60],
    ['light', 190],
  ] as const) {
    mkdirSync(path.join(root, c), { recursive: true });
    for (let i = 0; i < perClass; i++) writeFileSync(path.join(root, c, `${i}.png`), await grey(level, i * 7 + level));
  }
  return root;
}

export function tinyExperiment(training: Partial<ExperimentSpec['training']> = {}, model: ModelSpec = TINY_MODEL): ExperimentSpec {
  return { model, training: { ...DEFAULT_TRAINING, batchSize: 8, epochs: 1, validationSplit: 0, ...training } };
}

/** Trains TINY_MODEL on the folder (well below chance loss, so its weights are told apart from fresh ones) and exports it with main/export, as `layerbench export --format keras`. */
export async function trainedKerasFile(backend: EngineBackend, folder: string, workDir: string): Promise<{ file: string; runDir: string }> {
  const dataset = await loadDataset(`folder:${folder}`);
  const runDir = path.join(workDir, 'source-run');
  const outcome = await startRun(
    { backend },
    { dir: runDir, experiment: tinyExperiment({ seed: 3, epochs: 10, learningRate: 0.01 }), dataset },
  );
  if (!outcome.modelSaved) throw new Error(`the fixture model was not trained: ${outcome.error?.message ?? outcome.modelNote}`);
  const file = path.join(workDir, 'tiny.keras');
  await exportModel(runDir, 'keras', file);
  return { file, runDir };
}

export function upload(file: string, name = path.basename(file)): UploadedFile {
  return { name, contentBase64: readFileSync(file).toString('base64') };
}

/** The same .keras with one layer's class replaced, as a file from a newer Keras might hold. */
export function withLayerClass(kerasFile: string, from: string, to: string): Buffer {
  const entries = unzipSync(readFileSync(kerasFile));
  const config = JSON.parse(strFromU8(entries['config.json'])) as { config: { layers: { class_name: string }[] } };
  for (const layer of config.config.layers) if (layer.class_name === from) layer.class_name = to;
  entries['config.json'] = strToU8(JSON.stringify(config));
  return Buffer.from(zipSync(entries));
}
