/**
 * The native Keras 3 format (`model.save("x.keras")`): a zip holding `metadata.json`, `config.json` (the
 * serialized model) and `model.weights.h5`, in which each layer's variables are `layers/<name>/vars/<i>`,
 * numbered in the layer's own order, as Keras 3 nests them for a Sequential model (see keras-paths.ts).
 */
import { LAYERS } from '../../common/layers/index.js';
import { readFile, rm } from 'node:fs/promises';
import { strToU8, zipSync } from 'fflate';
import type { ModelSpec, TrainingSettings } from '../../common/spec.js';
import { replaceFile, tempNameFor } from '../platform/replace-file.js';
import { ensureGroup, withH5, writeFloat32, type H5Group } from './h5.js';
import { kerasCompileConfig, kerasModelConfig, kerasModelName, kerasOptimizerConfig } from './keras-config.js';
import { chunkShape, kerasOptimizerState } from './keras-optimizer-state.js';
import type { SavedOptimizerState } from './optimizer-checkpoint.js';
import { isSequentialSpec, kerasLayerOrder, KERAS_INPUT_NAME } from './keras-functional.js';
import { kerasWeightPaths } from './keras-paths.js';
import { kerasSchedule } from './keras-schedule.js';
import { KERAS_FORMAT_VERSION } from './keras-version.js';
import { orderedLayerWeights, type ModelWeights } from './weights.js';

/** Keras's own date stamp format: 2026-11-28@07:28:24. */
function kerasDate(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', '@');
}

function writeOptimizer(vars: H5Group, training: TrainingSettings, state: ReturnType<typeof kerasOptimizerState>): void {
  vars.create_attribute('name', kerasOptimizerConfig(training).config.name as string);
  vars.create_dataset({ name: '0', data: BigInt64Array.of(BigInt(state.iterations)), shape: [], dtype: '<q' });
  // An optimizer whose rate is a schedule has no learning-rate variable in Keras 3: the slots follow the count.
  const scheduled = kerasSchedule(training) !== undefined;
  if (!scheduled) writeFloat32(vars, '1', Float32Array.of(training.learningRate), []);
  const first = scheduled ? 1 : 2;
  state.slots.forEach(({ shape, data }, i) => {
    vars.create_dataset({
      name: String(i + first),
      data,
      shape,
      dtype: '<f',
      chunks: chunkShape(shape),
      compression: 'gzip',
      compression_opts: 1,
    });
  });
}

async function weightsH5(
  target: string,
  spec: ModelSpec,
  weights: ModelWeights,
  training?: TrainingSettings,
  optimizer?: SavedOptimizerState,
): Promise<Uint8Array> {
  // In Keras's own layer order (a functional model's differs from the spec's): the paths and slots follow it.
  const inSpecOrder = orderedLayerWeights(spec, weights, target);
  const layers = kerasLayerOrder(spec).map((i) => inSpecOrder[i]);
  // Checked before the file is started, so a state that does not fit fails the export plainly.
  const state = training ? kerasOptimizerState(training, layers, optimizer) : undefined;
  const temp = tempNameFor(target) + '.weights.h5';
  try {
    await withH5(temp, 'w', (f) => {
      const paths = kerasWeightPaths(layers.map((l) => LAYERS[l.layer.type].keras.className));
      if (!isSequentialSpec(spec)) ensureGroup(f, `layers/${KERAS_INPUT_NAME}/vars`).create_attribute('name', KERAS_INPUT_NAME);
      for (const [i, { name, arrays }] of layers.entries()) {
        const vars = ensureGroup(f, `layers/${paths[i]}/vars`);
        vars.create_attribute('name', name);
        arrays.forEach((a, i) => writeFloat32(vars, String(i), a.data, a.shape));
      }
      // The model's own (empty) variable group, as Keras writes it.
      ensureGroup(f, 'vars').create_attribute('name', kerasModelName(spec));
      if (training && state) writeOptimizer(ensureGroup(f, 'optimizer/vars'), training, state);
    });
    return await readFile(temp);
  } finally {
    await rm(temp, { force: true });
  }
}

export async function writeKerasV3(
  target: string,
  spec: ModelSpec,
  weights: ModelWeights,
  training?: TrainingSettings,
  now = new Date(),
  /** Layerbench's optimizer state for these weights (a run's `last` checkpoint); absent: a fresh optimizer's. */
  optimizer?: SavedOptimizerState,
): Promise<void> {
  const config = kerasModelConfig(spec);
  if (training) config.compile_config = kerasCompileConfig(training);
  const zip = zipSync(
    {
      'metadata.json': strToU8(JSON.stringify({ keras_version: KERAS_FORMAT_VERSION, date_saved: kerasDate(now) })),
      'config.json': strToU8(JSON.stringify(config)),
      // Stored, not deflated: Keras may read the HDF5 file in place from the archive.
      'model.weights.h5': [await weightsH5(target, spec, weights, training, optimizer), { level: 0 }],
    },
    { level: 6 },
  );
  await replaceFile(target, zip);
}
