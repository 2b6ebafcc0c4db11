"""Loads .keras files with keras.models.load_model and prints each one's optimizer state (for the export tests).

Usage: python3 keras_optimizer_state.py MODEL.keras [MODEL.keras ...]
Prints one JSON line per model: the optimizer class, its step count, and every slot variable after the step
count and learning rate, in Keras's order, with shape and values.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402


def main():
    for file in sys.argv[1:]:
        model = keras.models.load_model(file)
        optimizer = model.optimizer
        slots = optimizer.variables[2:]
        print(json.dumps({
            "model": file,
            "optimizer": optimizer.__class__.__name__,
            "iterations": int(optimizer.iterations.numpy()),
            "slots": [{"path": v.path, "shape": list(v.shape), "values": v.numpy().ravel().tolist()} for v in slots],
        }))


if __name__ == "__main__":
    main()
