"""Builds Keras models with every layer type Layerbench supports, saves them as .keras and .h5, and writes
inputs and Keras's predictions for them (for the Keras -> Layerbench import tests).

Usage: python3 make_keras_models.py OUT_DIR
Writes OUT_DIR/<name>.keras, OUT_DIR/<name>.h5, OUT_DIR/<name>.input.bin, OUT_DIR/<name>.output.bin (raw
float32) and OUT_DIR/models.json describing them. Also writes OUT_DIR/unsupported.keras, a model with a layer
Layerbench does not support (PReLU), to check that the import names it.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402


def with_random_batchnorm(model, rng):
    """Moving statistics far from their initial 0 and 1, so a loader that dropped them would be caught."""
    for layer in model.layers:
        if isinstance(layer, layers.BatchNormalization):
            c = layer.moving_mean.shape[0]
            weights = [rng.uniform(0.5, 1.5, c), rng.uniform(-0.5, 0.5, c), rng.uniform(-0.5, 0.5, c), rng.uniform(0.5, 2.0, c)]
            if not layer.scale:
                weights.pop(0)
            if not layer.center:
                weights.pop(1 if layer.scale else 0)
            layer.set_weights([w.astype(np.float32) for w in weights])
        if isinstance(layer, layers.LayerNormalization):
            # Scale and shift far from their initial 1 and 0, for the same reason.
            layer.set_weights([rng.uniform(0.5, 1.5, w.shape).astype(np.float32) for w in layer.get_weights()])
    return model


def sequential():
    return keras.Sequential([
        keras.Input((10, 10, 3)),
        layers.Conv2D(6, 3, padding="same", activation="relu", name="conv_a"),
        layers.BatchNormalization(),
        layers.MaxPooling2D(2),
        layers.Conv2D(5, (3, 2), strides=(1, 1), activation="elu", use_bias=False),
        layers.AveragePooling2D(2, strides=1, padding="same"),
        layers.Dropout(0.4),
        layers.Activation("swish"),
        layers.Flatten(),
        layers.Dense(12, activation="tanh"),
        layers.BatchNormalization(center=False),
        layers.Dense(4, activation="softmax"),
    ], name="every_layer")


def functional():
    inputs = keras.Input((8, 8, 1))
    x = layers.Conv2D(4, 3, activation="selu")(inputs)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(6, activation="sigmoid")(x)
    x = layers.ReLU()(x)
    outputs = layers.Dense(3, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="chain")


def new_layers():
    """Padding, layer normalization, leaky relu, gelu, global max pooling and chosen initializers."""
    return keras.Sequential([
        keras.Input((7, 6, 2)),
        layers.ZeroPadding2D(((1, 0), (2, 1))),
        layers.Conv2D(4, 3, activation="gelu", kernel_initializer="he_normal", bias_initializer="ones"),
        layers.LayerNormalization(epsilon=0.01, center=False),
        layers.LeakyReLU(negative_slope=0.1),
        layers.GlobalMaxPooling2D(),
        layers.Dense(6, activation="leaky_relu", kernel_initializer="lecun_normal"),
        layers.LayerNormalization(),
        layers.Dense(3, activation="softmax"),
    ], name="new_layers")


def main():
    out = sys.argv[1]
    rng = np.random.default_rng(7)
    described = []
    for model in (sequential(), functional(), new_layers()):
        with_random_batchnorm(model, rng)
        model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.8), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        shape = [5, *model.input_shape[1:]]
        x = rng.uniform(0, 1, shape).astype(np.float32)
        y = model.predict(x, verbose=0).astype(np.float32)
        base = os.path.join(out, model.name)
        model.save(base + ".keras")
        model.save(base + ".h5")
        x.tofile(base + ".input.bin")
        y.tofile(base + ".output.bin")
        described.append({"name": model.name, "shape": shape, "outputs": int(y.shape[1])})
    bad = keras.Sequential([keras.Input((6, 6, 1)), layers.Conv2D(2, 3), layers.PReLU(name="prelu"), layers.Flatten(), layers.Dense(2)])
    bad.save(os.path.join(out, "unsupported.keras"))
    with open(os.path.join(out, "models.json"), "w") as f:
        json.dump(described, f)


if __name__ == "__main__":
    main()
