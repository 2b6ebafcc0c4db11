/**
 * A scripted stand-in for `window.layerbench`, injected with `page.addInitScript` before the renderer loads.
 * Used only where the real server cannot produce a state on demand (a training process that runs out of
 * memory, a NaN loss), so the UI's failure handling can be seen and checked. Everything else runs against the
 * real `layerbench serve`. The function is serialized into the page, so it must be self-contained.
 */
export interface MockOptions {
  /** How the scripted run ends: after `failAfterEpochs` epochs with this code, or finished. */
  failure?: { code: string; message: string; reason: 'ended' | 'oom' | 'crashed' };
  failAfterEpochs?: number;
  /** One run already on disk, for views that only read (the runs list and its details). */
  run?: { summary: { runId: string }; details: object };
}

export function installMockApi(options: MockOptions): void {
  type Cb = (payload: unknown) => void;
  const listeners: Record<string, Cb[]> = {};
  const emit = (name: string, payload: unknown) => (listeners[name] ?? []).forEach((cb) => cb(payload));
  const okv = (value: unknown) => Promise.resolve({ ok: true, value });
  const backend = {
    name: 'cpu',
    native: false,
    detail: 'scripted backend for UI tests',
    warning: 'Native TensorFlow is not available; training is slow.',
  };
  const classNames = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
  const dataset = {
    id: 'mnist',
    name: 'MNIST (bundled)',
    kind: 'bundled',
    inputShape: [28, 28, 1],
    classNames,
    trainCount: 10000,
    testCount: 0,
    source: 'bundled',
  };
  const runs: Record<string, unknown>[] = options.run ? [options.run.summary] : [];
  const api: Record<string, unknown> = {
    on(name: string, cb: Cb) {
      (listeners[name] ??= []).push(cb);
      return () => (listeners[name] = (listeners[name] ?? []).filter((x) => x !== cb));
    },
    'app:info': () =>
      okv({
        name: 'Layerbench',
        version: 'test',
        mode: 'electron',
        platform: 'linux',
        arch: 'x64',
        versions: { node: '20' },
        backend,
        dataDir: '/tmp',
        datasetKinds: ['folder'],
        exportFormats: [],
      }),
    'runs:list': () => okv({ runs }),
    'series:list': () => okv({ series: [] }),
    'runs:get': (req: { runId: string }) =>
      options.run && req.runId === options.run.summary.runId
        ? okv(options.run.details)
        : Promise.resolve({ ok: false, error: { code: 'NOT_FOUND', message: 'no such run' } }),
    'dataset:list': () => okv({ datasets: [dataset] }),
    'dataset:samples': () => okv({ samples: [] }),
    'training:stop': () => okv({ stopping: true }),
    'training:start': (req: { experiment: { training: { epochs: number } } }) => {
      const runId = 'mock-run';
      const epochs = req.experiment.training.epochs;
      const failAfter = options.failAfterEpochs ?? epochs;
      const history: Record<string, number>[] = [];
      const send = (event: unknown) => emit('training:event', { runId, event });
      setTimeout(() => {
        send({
          type: 'start',
          backend,
          trainCount: 800,
          validationCount: 200,
          epochs,
          initialEpoch: 1,
          batchSize: 32,
          batchesPerEpoch: 25,
          totalParams: 1000,
        });
        for (let e = 1; e <= Math.min(epochs, failAfter); e++) {
          send({ type: 'epochStart', epoch: e, epochs });
          for (let b = 5; b <= 25; b += 5) {
            send({
              type: 'batch',
              epoch: e,
              batch: b,
              batches: 25,
              samplesSeen: b * 32,
              samplesTotal: 800,
              loss: 2 / e,
              accuracy: 0.5 + e * 0.1,
              batchLoss: 2 / e - b * 0.01,
              elapsedMs: 100 * b,
              samplesPerSec: 320,
            });
          }
          const record = {
            epoch: e,
            durationMs: 2500,
            samples: 800,
            loss: 2 / e,
            accuracy: 0.5 + e * 0.1,
            val_loss: 2.2 / e,
            val_accuracy: 0.45 + e * 0.1,
          };
          history.push(record);
          send({ type: 'epochEnd', record, epochs });
        }
        const f = options.failure;
        if (f && f.reason === 'ended') {
          send({ type: 'end', status: 'failed', history, durationMs: 5000, error: { code: f.code, message: f.message } });
          emit('training:exit', {
            runId,
            code: 0,
            signal: null,
            reason: 'ended',
            status: 'failed',
            message: f.message,
            epochsDone: history.length,
          });
        } else if (f) {
          emit('training:exit', {
            runId,
            code: null,
            signal: 'SIGKILL',
            reason: f.reason,
            status: 'crashed',
            message: f.message,
            epochsDone: history.length,
          });
        } else {
          send({ type: 'end', status: 'finished', history, durationMs: 5000 });
        }
      }, 50);
      return okv({ runId, dir: '/tmp/mock-run' });
    },
  };
  (window as unknown as Record<string, unknown>).layerbench = api;
}
