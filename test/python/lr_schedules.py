"""Learning rates from the real Keras, for Layerbench's schedule tests (test/unit/common/lr-schedule-keras.test.ts).

Reads JSON from argv[1]: {"initial": lr, "schedules": [{"class_name", "config"}], "steps": [...],
"plateau": {"config": {...}, "monitor": name, "values": [...]}} and prints JSON: each schedule's rate at
each step, and the optimizer's rate after each epoch of ReduceLROnPlateau fed the given metric values.
"""
import json
import sys

import keras
import numpy as np

request = json.loads(sys.argv[1])
out = {"schedules": []}
for s in request["schedules"]:
    schedule = getattr(keras.optimizers.schedules, s["class_name"])(**s["config"])
    out["schedules"].append([float(keras.ops.convert_to_numpy(schedule(step))) for step in request["steps"]])

plateau = request.get("plateau")
if plateau:
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=request["initial"]), loss="mse")
    callback = keras.callbacks.ReduceLROnPlateau(monitor=plateau["monitor"], **plateau["config"])
    callback.set_model(model)
    callback.on_train_begin()
    rates = []
    for epoch, value in enumerate(plateau["values"]):
        logs = {plateau["monitor"]: value}
        callback.on_epoch_end(epoch, logs)
        rates.append({"logged": logs["learning_rate"], "after": float(np.asarray(model.optimizer.learning_rate))})
    out["plateau"] = rates

print(json.dumps(out))
