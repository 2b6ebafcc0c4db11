"""Loads .keras files whose optimizer has a learning-rate schedule (for test/unit/export/lr-schedule-export.test.ts).

Usage: python3 keras_schedule.py STEPS_JSON MODEL.keras...
Prints one JSON line per model: the optimizer, its schedule's class and config, the rate the optimizer uses at
each given step, and the warnings Keras gave while loading (a skipped optimizer variable would show there).
"""
import json
import os
import sys
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402


def main():
    steps = json.loads(sys.argv[1])
    for path in sys.argv[2:]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = keras.models.load_model(path)
        optimizer = model.optimizer
        schedule = optimizer._learning_rate
        is_schedule = isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule)
        rates = []
        for step in steps:
            optimizer.iterations.assign(step)
            rates.append(float(keras.ops.convert_to_numpy(optimizer.learning_rate)))
        print(json.dumps({
            "model": path,
            "optimizer": optimizer.__class__.__name__,
            "schedule": schedule.__class__.__name__ if is_schedule else None,
            "config": schedule.get_config() if is_schedule else None,
            "rates": rates,
            "warnings": [str(w.message) for w in caught],
        }))


if __name__ == "__main__":
    main()
