"""Builds a small ResNet-style functional model in Keras for the graph import test, trains it a little (so
BatchNormalization's statistics move), saves it and writes an input batch and Keras's predictions on it.

Usage: python3 make_keras_graph_model.py MODEL.keras|MODEL.h5 INPUT.bin OUTPUT.bin
Prints one JSON line: {"shape": [n, h, w, c]} of the input written.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402


def residual_block(x, filters, strides, name):
    """Conv-BN-ReLU-Conv-BN plus a shortcut: the identity, or a strided 1x1 projection when the shape changes."""
    y = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False, name=f"{name}_conv1")(x)
    y = layers.BatchNormalization(name=f"{name}_bn1")(y)
    y = layers.ReLU(name=f"{name}_relu1")(y)
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv2")(y)
    y = layers.BatchNormalization(name=f"{name}_bn2")(y)
    shortcut = x
    if strides != 1 or x.shape[-1] != filters:
        shortcut = layers.Conv2D(filters, 1, strides=strides, name=f"{name}_proj")(x)
        shortcut = layers.BatchNormalization(name=f"{name}_proj_bn")(shortcut)
    y = layers.Add(name=f"{name}_add")([y, shortcut])
    return layers.Activation("relu", name=f"{name}_out")(y)


def main():
    model_path, input_path, output_path = sys.argv[1:4]
    keras.utils.set_random_seed(7)
    inputs = keras.Input((16, 16, 3))
    x = layers.Conv2D(8, 3, padding="same", activation="relu", name="stem")(inputs)
    x = residual_block(x, 8, 1, "block1")
    x = residual_block(x, 12, 2, "block2")
    pooled = layers.AveragePooling2D(3, strides=1, padding="same", name="context")(x)
    x = layers.Concatenate(name="join")([x, pooled])
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dropout(0.2, name="drop")(x)
    outputs = layers.Dense(5, activation="softmax", name="classes")(x)
    model = keras.Model(inputs, outputs, name="tiny_resnet")
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(3)
    x_train = rng.random((64, 16, 16, 3), dtype=np.float32)
    y_train = keras.utils.to_categorical(rng.integers(0, 5, 64), 5)
    model.fit(x_train, y_train, batch_size=16, epochs=2, verbose=0)
    model.save(model_path)
    x = rng.random((6, 16, 16, 3), dtype=np.float32)
    x.tofile(input_path)
    model.predict(x, verbose=0).astype(np.float32).tofile(output_path)
    print(json.dumps({"shape": list(x.shape)}))


if __name__ == "__main__":
    main()
