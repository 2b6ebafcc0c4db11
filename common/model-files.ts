/**
 * The files of a saved model folder, as every process names them: a run's `model/` and checkpoints, an
 * imported model, an export in TensorFlow.js format. The engine writes them, export and the service read them.
 */

/** TensorFlow.js layers-model topology and weights manifest. */
export const MODEL_JSON = 'model.json';
/** The weights, as the manifest in model.json lays them out. */
export const WEIGHTS_BIN = 'weights.bin';
/** The Layerbench experiment (model spec and training settings) the weights belong to. */
export const EXPERIMENT_JSON = 'experiment.json';
/** Beside an imported model: where it came from, for the run that later starts from its weights. */
export const IMPORT_INFO_JSON = 'import.json';
/** In a checkpoint folder: the optimizer's variables as TensorFlow.js weight specs, and their values. */
export const OPTIMIZER_JSON = 'optimizer.json';
export const OPTIMIZER_BIN = 'optimizer.bin';
