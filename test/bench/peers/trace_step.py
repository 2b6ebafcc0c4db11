"""Runs Layerbench's training-step graph (written by test/bench/trace-step.js) in TensorFlow with full
tracing and prints the step time and the op time summed by op type (5 traced steps after 10 untraced)."""
import collections
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.core.protobuf import config_pb2  # noqa: E402

job = json.loads(sys.argv[1])
rng = np.random.default_rng(1)
graph = tf.Graph()
with graph.as_default():
    session = tf.compat.v1.Session(graph=graph)
    tf.compat.v1.saved_model.loader.load(session, ["serve"], job["dir"])
    # Starting values as Layerbench loads them: small weights, positive second moments and variances.
    loads = {}
    for name, state in zip(job["load"]["inputNames"], job["states"]):
        value = np.asarray(rng.normal(0, 0.05, state["shape"]), dtype=np.float32)
        if state["key"].startswith(("slot:v", "slot:rms")) or state["key"].endswith("variance"):
            value = np.abs(value) + 0.01
        if state["key"].startswith("opt:"):
            value = np.float32(0.5)
        loads[name + ":0"] = value
    session.run(job["load"]["outputNames"], loads)
    b = job["batchSize"]
    feed = {
        "x:0": rng.random((b, *job["inputShape"]), dtype=np.float32),
        "y:0": np.eye(job["classes"], dtype=np.float32)[rng.integers(0, job["classes"], b)],
    }
    if job["needsSeed"]:
        feed["seed:0"] = np.array([1, 2], dtype=np.int32)
    fetches = job["step"]["outputNames"]
    for _ in range(10):
        session.run(fetches, feed)
    start = time.perf_counter()
    for _ in range(20):
        session.run(fetches, feed)
    print(f"step: {(time.perf_counter() - start) / 20 * 1000:.2f} ms (wall)")
    options = config_pb2.RunOptions(trace_level=config_pb2.RunOptions.FULL_TRACE)
    times, counts = collections.Counter(), collections.Counter()
    for _ in range(5):
        metadata = config_pb2.RunMetadata()
        session.run(fetches, feed, options=options, run_metadata=metadata)
        for device in metadata.step_stats.dev_stats:
            for node in device.node_stats:
                op = node.timeline_label.split("=")[-1].split("(")[0].strip() if node.timeline_label else node.node_name
                times[op] += (node.op_end_rel_micros - node.op_start_rel_micros) / 5
                counts[op] += 1 / 5
    print("steps run: 35")  # 10 + 20 + 5: trace-step.js divides oneDNN's verbose totals by this
    print(f"op time: {sum(times.values()) / 1000:.2f} ms per step (ops run in parallel, so more than the wall time)")
    for op, micros in times.most_common(15):
        print(f"  {op:44s} {counts[op]:4.0f} ops {micros / 1000:7.3f} ms")
