"""Runs an exported training script's input pipeline on its own (for the export tests).

Usage: python3 script_pipeline.py SCRIPT.py KIND DATA OUT.bin
Imports the script as a module, loads the data as it would, passes the training images through its tf.data
pipeline unshuffled, and writes their pixels (uint8, in pipeline order) to OUT.bin. Prints one JSON line:
whether the loader kept files or pixels, the labels in order, and the count --limit 3 keeps.
"""
import importlib.util
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402


def main():
    script, kind, data, out = sys.argv[1:5]
    spec = importlib.util.spec_from_file_location("exported", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (x, y), _test = module.load_data(kind, data)
    pixels = []
    for images, _labels in module.to_dataset(x, y, 4, False, 0):
        pixels.append(np.rint(images.numpy() * 255.0).astype(np.uint8))
    np.concatenate(pixels).tofile(out)
    limited = module.limit_images((x, y), 3, 0)
    print(json.dumps({
        "loaded": "files" if x.dtype.kind in "US" else "pixels",
        "labels": y.tolist(),
        "limited": len(limited[1]),
    }))


if __name__ == "__main__":
    main()
