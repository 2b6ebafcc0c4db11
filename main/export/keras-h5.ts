/**
 * The legacy Keras `.h5` format (`model.save("x.h5")`): one HDF5 file whose root attributes hold the model
 * configuration as JSON, and whose `model_weights` group holds a group per layer with its arrays, listed in
 * the `layer_names` and `weight_names` attributes. Keras loads these by order, as it wrote them.
 */
import type { ModelSpec, TrainingSettings } from '../../common/spec.js';
import { replaceWith } from '../platform/replace-file.js';
import { ensureGroup, withH5, writeFloat32 } from './h5.js';
import { kerasModelConfig, kerasModelName, kerasTrainingConfig } from './keras-config.js';
import { isSequentialSpec, kerasLayerOrder } from './keras-functional.js';
import { KERAS_FORMAT_VERSION } from './keras-version.js';
import { layerVarNames, orderedLayerWeights, type ModelWeights } from './weights.js';

export async function writeKerasH5(target: string, spec: ModelSpec, weights: ModelWeights, training?: TrainingSettings): Promise<void> {
  // Keras loads a legacy file's weights by layer order: its own order, which for a functional model is not the spec's.
  const inSpecOrder = orderedLayerWeights(spec, weights, target);
  const layers = kerasLayerOrder(spec).map((i) => inSpecOrder[i]);
  const modelName = kerasModelName(spec);
  // Keras prefixes a Sequential model's weight names with the model's name, a functional model's not.
  const prefix = isSequentialSpec(spec) ? `${modelName}/` : '';
  await replaceWith(target, async (temp) => {
    await withH5(temp, 'w', (f) => {
      f.create_attribute('backend', 'tensorflow');
      f.create_attribute('keras_version', KERAS_FORMAT_VERSION);
      f.create_attribute('model_config', JSON.stringify(kerasModelConfig(spec, true)));
      if (training) f.create_attribute('training_config', JSON.stringify(kerasTrainingConfig(training)));
      const root = f.create_group('model_weights');
      root.create_attribute('backend', 'tensorflow');
      root.create_attribute('keras_version', KERAS_FORMAT_VERSION);
      root.create_attribute(
        'layer_names',
        layers.map((l) => l.name),
      );
      for (const { name, layer, arrays } of layers) {
        const group = root.create_group(name);
        const vars = layerVarNames(layer);
        const weightNames = vars.map((v) => `${prefix}${name}/${v}`);
        // An empty list is how Keras marks a layer without weights (h5py stores it as an empty float array).
        if (weightNames.length) group.create_attribute('weight_names', weightNames);
        else group.create_attribute('weight_names', new Float64Array(0), [0]);
        arrays.forEach((a, i) => writeFloat32(ensureGroup(group, `${prefix}${name}`), vars[i], a.data, a.shape));
      }
      root.create_group('top_level_model_weights').create_attribute('weight_names', new Float64Array(0), [0]);
    });
  });
}
