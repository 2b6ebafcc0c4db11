"""Keras (TensorFlow CPU) peer: trains the seed CNN on the harness's data and reports samples/s.

Run by test/bench/run.js with the pyenv python3 that has `tensorflow-cpu`; the job format is in common_peer.py.
"""
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402
from tensorflow import keras  # noqa: E402

from common_peer import emit, load_data, read_job  # noqa: E402


def seed_cnn(batchnorm, num_classes=10):
    """The seed CNN as Layerbench's presets build it: Conv2D+ReLU, then BatchNormalization when asked."""
    layers = [keras.Input((32, 32, 3))]

    def conv(filters, padding):
        layers.append(keras.layers.Conv2D(filters, 3, padding=padding, activation="relu"))
        if batchnorm:
            layers.append(keras.layers.BatchNormalization(momentum=0.99, epsilon=1e-3))

    for filters in (32, 64):
        conv(filters, "same")
        conv(filters, "valid")
        layers.append(keras.layers.MaxPooling2D(2))
    layers += [keras.layers.Flatten(), keras.layers.Dense(512, activation="relu"), keras.layers.Dense(num_classes, activation="softmax")]
    return keras.Sequential(layers)


def resnet20(num_classes=10):
    """Layerbench's resnet20 preset: a Conv2D+BN+ReLU stem, 3 stages of 3 residual blocks (16/32/64 filters,
    the first block of stages 2 and 3 strided with a 1x1-projection shortcut), global average pooling."""

    def conv(x, filters, kernel, strides=1):
        return keras.layers.Conv2D(filters, kernel, strides=strides, padding="same", use_bias=False)(x)

    def bn(x):
        return keras.layers.BatchNormalization(momentum=0.99, epsilon=1e-3)(x)

    inputs = keras.Input((32, 32, 3))
    x = keras.layers.Activation("relu")(bn(conv(inputs, 16, 3)))
    channels = 16
    for stage, filters in enumerate((16, 32, 64)):
        for block in range(3):
            strides = 2 if stage > 0 and block == 0 else 1
            y = keras.layers.Activation("relu")(bn(conv(x, filters, 3, strides)))
            y = bn(conv(y, filters, 3))
            shortcut = x if strides == 1 and channels == filters else bn(conv(x, filters, 1, strides))
            x = keras.layers.Activation("relu")(keras.layers.Add()([y, shortcut]))
            channels = filters
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(num_classes, activation="softmax")(x))


class EpochTimer(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.times = []

    def on_epoch_begin(self, epoch, logs=None):
        self.t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self.t0)


def main():
    job = read_job()
    tf.keras.utils.set_random_seed(job.get("seed", 42))
    x_u8, y = load_data(job)
    batch = job["batchSize"]
    n = min(len(x_u8), batch * job["batchesPerRepeat"])
    # As the seed Keras script did: the whole training set converted to float once, labels one-hot.
    x = x_u8[:n].astype("float32") / 255.0
    y_hot = keras.utils.to_categorical(y[:n], 10)
    model = resnet20() if job["variant"] == "resnet20" else seed_cnn(job["variant"] == "batchnorm")
    # Keras 3's default jit_compile="auto" compiles the train step with XLA; the harness also runs it off.
    jit = job.get("jitCompile", "auto")
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3, epsilon=1e-7), loss="categorical_crossentropy", metrics=["accuracy"], jit_compile=jit
    )
    timer = EpochTimer()
    # Epoch 1 traces the graph: it is the warm-up and is left out.
    model.fit(x, y_hot, batch_size=batch, epochs=1 + job["repeats"], shuffle=True, verbose=0, callbacks=[timer])
    train = [n / t for t in timer.times[1:]]

    inference = []
    if job.get("inferenceBatches", 0) > 0:
        ib = job["inferenceBatch"]
        m = min(len(x_u8), ib * job["inferenceBatches"])
        xi = x_u8[:m].astype("float32") / 255.0
        model.predict(xi[:ib], batch_size=ib, verbose=0)
        for _ in range(job["repeats"]):
            t0 = time.perf_counter()
            model.predict(xi, batch_size=ib, verbose=0)
            inference.append(m / (time.perf_counter() - t0))

    emit(
        {
            "peer": "keras",
            "jitCompile": jit,
            "params": int(model.count_params()),
            "version": f"Keras {keras.__version__}, TensorFlow {tf.__version__}",
            "threads": {"intraOp": tf.config.threading.get_intra_op_parallelism_threads(), "cpus": os.cpu_count()},
            "trainSamplesPerSec": train,
            "inferenceSamplesPerSec": inference,
        }
    )


if __name__ == "__main__":
    main()
