"""Loads models with keras.models.load_model and predicts on given inputs (for the export round-trip tests).

Usage: python3 keras_predict.py JOBS.json
JOBS.json: [{"model": PATH, "input": RAW_FLOAT32_FILE, "shape": [n, h, w, c], "output": RAW_FLOAT32_FILE}]
Writes each job's predictions to its output file and prints one JSON line per job describing the loaded
model, with the warnings Keras gave while loading it.
"""
import json
import os
import sys
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import keras  # noqa: E402


def main():
    with open(sys.argv[1]) as f:
        jobs = json.load(f)
    for job in jobs:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = keras.models.load_model(job["model"])
        x = np.fromfile(job["input"], dtype=np.float32).reshape(job["shape"])
        # predict() runs in inference mode: Dropout passes through, BatchNormalization uses its moving statistics.
        y = model.predict(x, verbose=0).astype(np.float32)
        y.tofile(job["output"])
        print(json.dumps({
            "model": job["model"],
            "layers": [layer.__class__.__name__ for layer in model.layers],
            # What model.summary() shows for each layer: its output shape (batch left out) and parameter count.
            "summary": [
                {"output_shape": list(layer.output.shape[1:]), "params": int(layer.count_params())}
                for layer in model.layers
            ],
            "output_shape": list(y.shape),
            "params": int(model.count_params()),
            "compiled": model.optimizer is not None,
            "warnings": [str(w.message) for w in caught],
        }))


if __name__ == "__main__":
    main()
