/**
 * A Layerbench experiment as a readable, runnable Keras training script: the same model, optimizer, loss,
 * batch size, epochs, validation split, seed and augmentation, the data read from the same files, and a
 * tf.distribute strategy scope so the experiment can move to more GPUs or machines than the workstation has.
 */
import path from 'node:path';
import { MODEL_INPUT_INDEX } from '../../common/model-graph.js';
import { layerNames, summarize } from '../../common/summarize.js';
import type { ExperimentSpec, LayerSpec } from '../../common/spec.js';
import { descriptorOf } from '../../common/layers/index.js';
import { py } from '../../common/layers/helpers.js';
import { kerasLoss, kerasModelName, kerasOptimizerConfig } from './keras-config.js';
import { isSequentialSpec, KERAS_INPUT_NAME } from './keras-functional.js';
import { PYTHON_DATA } from './python-data.js';
import { kerasPlateauArgs, kerasSchedule } from './keras-schedule.js';

export interface ScriptDataset {
  /** Layerbench's dataset id: `mnist`, or `kind:path` (cifar10, folder, idx). */
  id: string;
  /** The folder the data was read from (for `mnist`, the bundled IDX files). */
  source?: string;
  classNames?: string[];
}

/** One layer as the constructor call a person would write, defaults left out. */
function layerCall(layer: LayerSpec, name: string): string {
  const { keras } = descriptorOf(layer);
  const args = [...keras.pythonArgs(layer), `name=${py(name)}`];
  return `layers.${keras.className}(${args.join(', ')})`;
}

/** One layer as an item of the Sequential model's list. */
function layerLine(layer: LayerSpec, name: string): string {
  return `            ${layerCall(layer, name)},`;
}

const PYTHON_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield inputs layers keras'.split(
    ' ',
  ),
);

/** The Python variable holding each layer's output: its name made an identifier, unique. */
function variableNames(names: string[]): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    let v = name.replace(/[^A-Za-z0-9_]/g, '_');
    if (!/^[A-Za-z_]/.test(v) || PYTHON_KEYWORDS.has(v)) v = `x_${v}`;
    let unique = v;
    for (let k = 2; used.has(unique); k++) unique = `${v}_${k}`;
    used.add(unique);
    return unique;
  });
}

/** build_model() for a graph spec: Keras's functional API, each layer called on the layers it reads. */
function functionalBuildModel(model: ExperimentSpec['model'], names: string[], modelName: string): string {
  const vars = variableNames(names);
  const inputs = summarize(model).layers.map((l) => l.inputs.map((j) => (j === MODEL_INPUT_INDEX ? 'inputs' : vars[j])));
  const lines = model.layers.map((layer, i) => {
    const merge = layer.type === 'Add' || layer.type === 'Concatenate';
    const args = merge ? `[${inputs[i].join(', ')}]` : inputs[i][0];
    return `    ${vars[i]} = ${layerCall(layer, names[i])}(${args})`;
  });
  return `def build_model():
    inputs = keras.Input(shape=INPUT_SHAPE, name=${py(KERAS_INPUT_NAME)})
${lines.join('\n')}
    return keras.Model(inputs, ${vars[vars.length - 1]}, name=${py(modelName)})`;
}

/** build_model() for a chain: a Sequential model. */
function sequentialBuildModel(model: ExperimentSpec['model'], names: string[], modelName: string): string {
  return `def build_model():
    return keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE),
${model.layers.map((l, i) => layerLine(l, names[i])).join('\n')}
        ],
        name=${py(modelName)},
    )`;
}

function optimizerLine(experiment: ExperimentSpec): string {
  const { className, config } = kerasOptimizerConfig(experiment.training);
  const args = Object.entries(config)
    .filter(([k]) => k !== 'name')
    .map(([k, v]) => `${k}=${k === 'learning_rate' ? learningRateArg(experiment) : py(v)}`);
  return `keras.optimizers.${className}(${args.join(', ')})`;
}

function learningRateArg(experiment: ExperimentSpec): string {
  return kerasSchedule(experiment.training) ? 'make_learning_rate()' : 'LEARNING_RATE';
}

/** The schedule the optimizer reads its rate from at each step, when the experiment has one. */
function scheduleFunction(experiment: ExperimentSpec): string {
  const schedule = kerasSchedule(experiment.training);
  if (!schedule) return '';
  const args = Object.entries(schedule.config)
    .filter(([k]) => k !== 'name')
    .map(([k, v]) => `${k}=${k === 'initial_learning_rate' ? 'LEARNING_RATE' : py(v)}`);
  return `

def make_learning_rate():
    """The learning rate per optimizer step (batch), starting from LEARNING_RATE."""
    return keras.optimizers.schedules.${schedule.className}(${args.join(', ')})
`;
}

function callbacksLine(experiment: ExperimentSpec): string {
  const plateau = kerasPlateauArgs(experiment.training);
  if (!plateau) return 'return []';
  const args = Object.entries(plateau).map(([k, v]) => `${k}=${py(v)}`);
  return `# Lowers the learning rate after an epoch when the monitored metric stopped improving.
    return [keras.callbacks.ReduceLROnPlateau(${args.join(', ')})]`;
}

export interface ScriptDataSource {
  kind: string;
  path: string | undefined;
  /** folder: how images of another size were fitted (main/data/image-decode.ts). */
  resize: 'stretch' | 'crop' | 'pad';
  /** cifar100: which of its two labels. */
  cifar100Labels: 'fine' | 'coarse';
}

/** Where the data is: the dataset kind, the file or folder, and the options of its `kind:path#options` id. */
export function scriptDataSource(dataset: ScriptDataset | undefined): ScriptDataSource {
  const result: ScriptDataSource = { kind: 'idx', path: undefined, resize: 'stretch', cifar100Labels: 'fine' };
  if (!dataset) return result;
  if (dataset.id === 'mnist') return { ...result, path: dataset.source };
  const colon = dataset.id.indexOf(':');
  if (colon <= 0) return { ...result, path: dataset.source };
  const [location, options = ''] = dataset.id.slice(colon + 1).split('#');
  const resize = /(?:^|,)resize=(stretch|crop|pad)/.exec(options)?.[1] as ScriptDataSource['resize'] | undefined;
  return {
    kind: dataset.id.slice(0, colon),
    path: location,
    resize: resize ?? 'stretch',
    cifar100Labels: /(?:^|,)coarse(?:,|$)/.test(options) ? 'coarse' : 'fine',
  };
}

/**
 * The data path as the script writes it: relative to the script's folder when the data lies inside it (so the
 * two move together), else absolute, as the exporting machine knows it.
 */
function scriptDataPath(dataPath: string | undefined, scriptDir: string | undefined): { path: string | undefined; relative: boolean } {
  if (!dataPath || !scriptDir || !path.isAbsolute(dataPath)) return { path: dataPath, relative: false };
  const rel = path.relative(scriptDir, dataPath);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return { path: dataPath, relative: false };
  return { path: rel.split(path.sep).join('/'), relative: true };
}

export function pythonTrainingScript(
  experiment: ExperimentSpec,
  dataset?: ScriptDataset,
  exportedAt = new Date(),
  fileName = 'train.py',
  /** The folder the script is written to, for a data path relative to it. */
  scriptDir?: string,
): string {
  const { model, training: t } = experiment;
  const names = layerNames(model.layers);
  const modelName = kerasModelName(model);
  const data = scriptDataSource(dataset);
  const dataPath = scriptDataPath(data.path, scriptDir);
  const [h, w, c] = model.inputShape;
  return `#!/usr/bin/env python3
"""Train "${modelName}" with Keras: a Layerbench experiment, exported ${exportedAt.toISOString().slice(0, 10)}.

The model, optimizer, loss, batch size, epochs, validation split, seed and augmentation are those of the
Layerbench experiment, and Layerbench starts its weights from Keras's default initializers. Results are close
to Layerbench's but not identical: the two draw initial weights, shuffles and dropout masks from the same
distributions but different random number generators.

Run it:
    python3 ${fileName} [--data FOLDER] [--limit N] [--epochs N] [--batch-size N] [--out model.keras] [--strategy mirrored]

--data defaults to DATASET_PATH below: the path of the data on the machine that exported this script (relative
paths are taken from this script's folder). --limit N trains on N images (and tests on at most N) for a quick try.

Needs TensorFlow 2.16 or newer (Keras 3), NumPy, and Pillow for image folders.
"""
import argparse
import glob
import gzip
import os
import re
import struct
import tarfile
import tempfile

import numpy as np
import tensorflow as tf
import keras
from keras import layers

# ---------------------------------------------------------------------------------------------------------
# The experiment

INPUT_SHAPE = (${h}, ${w}, ${c})  # height, width, channels
CLASS_NAMES = ${py(dataset?.classNames ?? [])}
DATASET_KIND = ${py(data.kind)}  # idx (MNIST layout, as the bundled digits), cifar10, cifar100 or folder
DATASET_PATH = ${py(dataPath.path ?? null)}  # ${dataPath.relative ? "what Layerbench read, relative to this script's folder" : 'what Layerbench read, on the machine that exported this script; --data elsewhere'}
RESIZE = ${py(data.resize)}  # folder: images of another size are stretched, cropped or padded to INPUT_SHAPE
CIFAR100_LABELS = ${py(data.cifar100Labels)}  # cifar100: fine (100 classes) or coarse (20)
BATCH_SIZE = ${t.batchSize}
EPOCHS = ${t.epochs}
VALIDATION_SPLIT = ${t.validationSplit}  # a fraction below 1, or a number of images; each class in proportion
SEED = ${t.seed}
LEARNING_RATE = ${t.learningRate}
LOSS = ${py(kerasLoss(t))}
ONE_HOT_LABELS = ${py(t.loss === 'categoricalCrossentropy')}
HORIZONTAL_FLIP = ${py(t.augmentation.horizontalFlip)}
SHIFT_PIXELS = ${t.augmentation.shiftPixels}


${isSequentialSpec(model) ? sequentialBuildModel(model, names, modelName) : functionalBuildModel(model, names, modelName)}


def make_optimizer():
    return ${optimizerLine(experiment)}
${scheduleFunction(experiment)}

def make_callbacks():
    ${callbacksLine(experiment)}

${PYTHON_DATA}

# ---------------------------------------------------------------------------------------------------------
# Distribution


def make_strategy(name):
    """The tf.distribute strategy the model is built and trained under.

    "mirrored" (the default) is the single-machine strategy: it trains on every GPU of this machine, or on its
    CPU when it has none. To train on several machines, use "multi-worker" and start this script on every
    machine with the TF_CONFIG environment variable describing the cluster, for example on worker 0:
        TF_CONFIG='{"cluster": {"worker": ["host1:12345", "host2:12345"]}, "task": {"type": "worker", "index": 0}}'
    (index 1 on the second machine). BATCH_SIZE is the global batch, split across all replicas.
    """
    if name == "multi-worker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()  # "none": TensorFlow's default, no distribution


def is_chief(strategy):
    """In a multi-worker cluster, worker 0 (or the chief) keeps the saved model; other workers save elsewhere."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or resolver.task_type is None:
        return True
    return resolver.task_type == "chief" or (resolver.task_type == "worker" and resolver.task_id == 0)


def default_data_path():
    """DATASET_PATH, a relative one taken from this script's folder."""
    if DATASET_PATH and not os.path.isabs(DATASET_PATH):
        return os.path.join(os.path.dirname(os.path.abspath(__file__)), DATASET_PATH)
    return DATASET_PATH


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        default=default_data_path(),
        help="dataset folder or file (default: where it was on the machine that exported this script: %(default)s)",
    )
    parser.add_argument("--limit", type=int, help="use at most N images of each set, drawn at random: for a quick try")
    parser.add_argument("--kind", default=DATASET_KIND, choices=["idx", "cifar10", "cifar100", "folder"])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument("--strategy", default="mirrored", choices=["mirrored", "multi-worker", "none"])
    parser.add_argument("--out", default=${py(`${modelName}.keras`)}, help="where to save the trained model")
    args = parser.parse_args()
    if not args.data:
        parser.error("give the dataset folder with --data")

    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")

    keras.utils.set_random_seed(SEED)  # Python, NumPy and TensorFlow
    train, test = load_data(args.kind, args.data)
    if args.limit is not None:
        print(f"--limit {args.limit}: {min(args.limit, len(train[1]))} of {len(train[1])} images")
    (x, y), test = limit_images(train, args.limit, SEED), limit_images(test, args.limit, SEED)
    (x_train, y_train), validation = stratified_split(x, y, VALIDATION_SPLIT, SEED)
    print(f"{len(y_train)} training images, {0 if validation is None else len(validation[1])} for validation")

    strategy = make_strategy(args.strategy)
    print(f"Training with {type(strategy).__name__} on {strategy.num_replicas_in_sync} replica(s)")
    with strategy.scope():
        model = build_model()
        model.compile(optimizer=make_optimizer(), loss=LOSS, metrics=["accuracy"])
    model.summary()

    train_ds = to_dataset(x_train, y_train, args.batch_size, True, SEED)
    val_ds = None if validation is None else to_dataset(*validation, args.batch_size, False, SEED)
    # shuffle=False: to_dataset already reshuffles the training set every epoch.
    history = model.fit(train_ds, validation_data=val_ds, epochs=args.epochs, shuffle=False, callbacks=make_callbacks())
    last = {name: f"{values[-1]:.4f}" for name, values in history.history.items()}
    print(f"Trained {len(history.epoch)} epoch(s): {last}")
    if test is not None:
        loss, accuracy = model.evaluate(to_dataset(*test, args.batch_size, False, SEED), verbose=0)
        print(f"Test: loss {loss:.4f}, accuracy {accuracy:.4f}")
    # Every worker takes part in saving; only the chief's copy is kept.
    out = args.out if is_chief(strategy) else os.path.join(tempfile.mkdtemp(), os.path.basename(args.out))
    model.save(out)
    print(f"Saved {out}")


if __name__ == "__main__":
    main()
`;
}
