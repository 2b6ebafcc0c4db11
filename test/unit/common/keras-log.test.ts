import { describe, expect, it } from 'vitest';
import { batchLine, epochHeader, epochLine, formatEta, progressBar, trainOnLine } from '../../../common/keras-log.js';

describe('Keras-style log lines', () => {
  it('prints the epoch line as Keras does: steps, the epoch in seconds, the time per training step', () => {
    const line = epochLine({
      epoch: 1,
      samples: 40000,
      steps: 1250,
      // 400 s in all, of which validation took 40 s: the step time is the training's 360 s / 1250 steps.
      durationMs: 400_000,
      trainMs: 360_000,
      loss: 1.32171,
      accuracy: 0.53652,
      val_loss: 1.42301,
      val_accuracy: 0.52634,
    });
    expect(line).toBe(
      '1250/1250 [==============================] - 400s 288ms/step - loss: 1.3217 - accuracy: 0.5365 - val_loss: 1.4230 - val_accuracy: 0.5263',
    );
  });

  it('prints epochs of older runs (no step count recorded) per sample, as they were', () => {
    expect(epochLine({ epoch: 1, samples: 8000, durationMs: 6000, loss: 0.1, accuracy: 0.9 })).toBe(
      '8000/8000 [==============================] - 6s 750us/sample - loss: 0.1000 - accuracy: 0.9000',
    );
  });

  it('prints headers', () => {
    expect(trainOnLine(40000, 10000)).toBe('Train on 40000 samples, validate on 10000 samples');
    expect(trainOnLine(500, 0)).toBe('Train on 500 samples');
    expect(epochHeader(1, 10)).toBe('Epoch 1/10');
  });

  it('draws the progress bar with an arrow head', () => {
    expect(progressBar(20000, 40000)).toBe('20000/40000 [==============>...............]');
    expect(progressBar(32, 40000)).toBe('   32/40000 [..............................]');
  });

  it('formats ETA as Keras does', () => {
    expect(formatEta(42)).toBe('42s');
    expect(formatEta(125)).toBe('2:05');
    expect(formatEta(3725)).toBe('1:02:05');
    expect(batchLine(320, 1000, 12, { loss: 2.3, accuracy: 0.1 })).toBe(
      ' 320/1000 [========>.....................] - ETA: 12s - loss: 2.3000 - accuracy: 0.1000',
    );
  });

  it('uses microseconds and seconds per step where Keras does', () => {
    expect(epochLine({ epoch: 1, samples: 8000, steps: 8000, trainMs: 6000, durationMs: 6000, loss: 0.1, accuracy: 0.9 })).toContain(
      '- 6s 750us/step',
    );
    expect(epochLine({ epoch: 1, samples: 64, steps: 2, trainMs: 5000, durationMs: 5000, loss: 0.1, accuracy: 0.9 })).toContain(
      '- 5s 3s/step',
    );
  });

  it('prints the learning rate under a schedule as Keras 3 logs learning_rate, with a two-digit exponent', () => {
    const record = { epoch: 2, samples: 100, durationMs: 1000, loss: 0.5, accuracy: 0.8, val_loss: 0.0005, val_accuracy: 0.9 };
    expect(epochLine({ ...record, lr: Math.fround(0.0002) })).toMatch(
      / - val_loss: 5\.0000e-04 - val_accuracy: 0\.9000 - learning_rate: 2\.0000e-04$/,
    );
    // Keras reads a float32 0.001 as 0.0010000000475, above its 1e-3 threshold for 4 decimals.
    expect(epochLine({ ...record, lr: Math.fround(0.001) })).toMatch(/ - learning_rate: 0\.0010$/);
    expect(epochLine({ ...record, lr: 0.01 })).toMatch(/ - learning_rate: 0\.0100$/);
    expect(epochLine(record)).not.toContain('learning_rate');
  });
});
