/**
 * train({ initialWeights }): the run starts from a saved model folder's weights; a folder whose weights do not
 * fit the spec fails the run before the first batch, naming the layer and both shapes; an unreadable folder
 * says which.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentSpec } from '../../../common/spec.js';
import type { Dataset } from '../../../main/data/dataset.js';
import { buildModel } from '../../../main/engine/build-model.js';
import { weightsFromFolder } from '../../../main/engine/initial-weights.js';
import { saveModelAtomic } from '../../../main/engine/save.js';
import type { EngineBackend, LayersModel } from '../../../main/engine/tf-types.js';
import { train } from '../../../main/engine/train.js';
import { testBackend } from '../helpers/backend.js';
import { tinyExperiment, tinyMnist } from '../helpers/fixtures.js';

let backend: EngineBackend;
let data: Dataset;
const work = mkdtempSync(path.join(os.tmpdir(), 'lb-init-'));

beforeAll(async () => {
  backend = await testBackend();
  data = await tinyMnist(64);
});

/** Saves a model of `experiment` whose every weight is `value`, so where they went is plain to see. */
async function constantFolder(experiment: ExperimentSpec, value: number, name: string): Promise<string> {
  const { tf } = backend;
  const model = buildModel(tf, experiment.model, 10);
  model.layers.forEach((layer) => {
    const weights = layer.getWeights();
    if (weights.length) layer.setWeights(weights.map((w) => tf.fill(w.shape, value)));
  });
  const dir = path.join(work, name);
  await saveModelAtomic(tf, model, dir, {});
  model.dispose();
  return dir;
}

const firstWeights = (model: LayersModel) => model.layers[0].getWeights()[0].dataSync()[0];

describe('initial weights', () => {
  const experiment = tinyExperiment({ epochs: 1, learningRate: 0, validationSplit: 0 });

  it('puts the folder weights into the freshly built model before the first batch', async () => {
    const dir = await constantFolder(experiment, 0.03, 'constant');
    // A learning rate of 0 leaves the weights where they started: at the folder's values.
    const result = await train({ backend, experiment, dataset: data, initialWeights: weightsFromFolder(backend.tf, dir) });
    expect(result.status).toBe('finished');
    expect(firstWeights(result.model!)).toBeCloseTo(0.03, 6);
    result.dispose();
    const fresh = await train({ backend, experiment, dataset: data });
    expect(firstWeights(fresh.model!)).not.toBeCloseTo(0.03, 6);
    fresh.dispose();
  });

  it('fails the run naming the layer whose weights do not fit, with both shapes', async () => {
    const other = {
      ...experiment,
      model: { ...experiment.model, layers: [{ ...experiment.model.layers[0], filters: 6 }, ...experiment.model.layers.slice(1)] },
    };
    const dir = await constantFolder(other as ExperimentSpec, 0.01, 'wider');
    const result = await train({ backend, experiment, dataset: data, initialWeights: weightsFromFolder(backend.tf, dir) });
    expect(result.status).toBe('failed');
    expect(result.history).toEqual([]);
    expect(result.error?.code).toBe('INIT_WEIGHTS_MISMATCH');
    expect(result.error?.message).toMatch(
      /^layer 1 \(conv2d\w*, Conv2D\): the initial weights in .*wider have shapes \[3x3x1x6, 6\], this model needs \[3x3x1x4, 4\]/,
    );
    result.dispose();
  });

  it('says which folder could not be read', async () => {
    const missing = path.join(work, 'nothing-here');
    const result = await train({ backend, experiment, dataset: data, initialWeights: weightsFromFolder(backend.tf, missing) });
    expect(result.error).toMatchObject({ code: 'INIT_WEIGHTS_UNREADABLE' });
    expect(result.error?.message).toContain(missing);
    result.dispose();
  });
});
