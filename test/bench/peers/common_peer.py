"""Shared plumbing for the peer benchmarks: reading the job, the data and reporting results as JSON."""
import json
import sys

import numpy as np


def read_job():
    """The job is one JSON argument written by test/bench/bench.js (see test/bench/peers.js)."""
    if len(sys.argv) != 2:
        sys.exit("usage: peer.py '<job json>'")
    return json.loads(sys.argv[1])


def load_data(job):
    """Images uint8 [N, 32, 32, 3] (HWC) and labels uint8 [N], written by the Node harness as .npy files."""
    x = np.load(job["images"])
    y = np.load(job["labels"]).astype(np.int64)
    return x, y


def emit(result):
    """The last line of stdout is the result, so library chatter before it does no harm."""
    sys.stdout.write("\n" + json.dumps(result) + "\n")
    sys.stdout.flush()

