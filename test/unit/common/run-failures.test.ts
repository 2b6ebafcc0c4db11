import { describe, expect, it } from 'vitest';
import {
  adviceFor,
  exitFailureCode,
  failureKind,
  isOutOfMemoryText,
  isRunFailureCode,
  processDied,
  repeatsOnResume,
  RUN_FAILURE_CODES,
} from '../../../common/run-failures.js';
import { classifyExit, type ExitFacts } from '../../../main/host/exit-reason.js';

const facts = (over: Partial<ExitFacts>): ExitFacts => ({
  code: 1,
  signal: null,
  gone: null,
  ended: null,
  stopRequested: false,
  killedByHost: false,
  stderrTail: '',
  fatal: null,
  epochsDone: 2,
  ...over,
});

describe('run failure codes', () => {
  it('classifies every declared code, errnos as disk failures, and unknown codes as other', () => {
    expect(failureKind('NAN_LOSS')).toBe('diverged');
    expect(failureKind('LOSS_DIVERGED')).toBe('diverged');
    expect(failureKind('OUT_OF_MEMORY')).toBe('memory');
    expect(failureKind('PROCESS_OOM')).toBe('memory');
    expect(failureKind('PROCESS_CRASHED')).toBe('crash');
    expect(failureKind('ENOSPC')).toBe('disk');
    expect(failureKind('SOMETHING_NEW')).toBe('other');
    expect(isRunFailureCode('EIO')).toBe(true);
    expect(isRunFailureCode('SOMETHING_NEW')).toBe(false);
    // TRAINING_FAILED is the one declared catch-all.
    for (const code of Object.keys(RUN_FAILURE_CODES).filter((c) => c !== 'TRAINING_FAILED')) expect(failureKind(code)).not.toBe('other');
  });

  it('a crash is a run whose process died; a NaN loss or an in-process allocation failure is not', () => {
    expect(processDied('PROCESS_CRASHED')).toBe(true);
    expect(processDied('PROCESS_OOM')).toBe(true);
    expect(processDied('NAN_LOSS')).toBe(false);
    expect(processDied('OUT_OF_MEMORY')).toBe(false);
    expect(processDied('constructor')).toBe(false);
  });

  it('the host and the renderer record the same code for the same exit', () => {
    expect(exitFailureCode('oom')).toBe('PROCESS_OOM');
    expect(exitFailureCode('crashed')).toBe('PROCESS_CRASHED');
    expect(exitFailureCode('killed')).toBe('PROCESS_KILLED');
  });

  it('a resume is offered only for failures it can get past', () => {
    for (const code of ['BATCH_TOO_LARGE', 'SHAPE_MISMATCH', 'INVALID_MODEL', 'NAN_LOSS', 'LOSS_DIVERGED'])
      expect(repeatsOnResume(code), code).toBe(true);
    for (const code of ['PROCESS_OOM', 'PROCESS_CRASHED', 'ENOSPC', 'DATASET_ERROR', 'TRAINING_FAILED'])
      expect(repeatsOnResume(code), code).toBe(false);
  });

  it('advice never claims epochs were kept (the failure card counts them, and may count none)', () => {
    for (const code of Object.keys(RUN_FAILURE_CODES)) expect(adviceFor(code), code).not.toMatch(/kept/);
  });

  it('advice follows the kind, for codes from every producer', () => {
    expect(adviceFor('NAN_LOSS')).toMatch(/Lower the learning rate/);
    expect(adviceFor('PROCESS_OOM')).toMatch(/ran out of memory/);
    expect(adviceFor('OUT_OF_MEMORY')).toBe(adviceFor('PROCESS_OOM'));
    expect(adviceFor('PROCESS_CRASHED')).toMatch(/stopped unexpectedly/);
    expect(adviceFor('DATASET_ERROR')).toMatch(/dataset could not be read/);
    expect(adviceFor('ENOSPC')).toMatch(/Free disk space/);
  });

  it('recognises out-of-memory text from V8, ArrayBuffers, TensorFlow and C++, not other failures', () => {
    for (const text of [
      'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
      'RangeError: Array buffer allocation failed',
      'RangeError: Invalid array length',
      'OOM when allocating tensor with shape[4096,4096]',
      "terminate called after throwing an instance of 'std::bad_alloc'",
    ]) {
      expect(isOutOfMemoryText(text), text).toBe(true);
    }
    expect(isOutOfMemoryText('the loss became NaN at epoch 2')).toBe(false);
    expect(isOutOfMemoryText('ZOOM level')).toBe(false);
  });

  it('the host classifies a process that died of memory by the same test, in stderr and in a fatal message', () => {
    expect(classifyExit(facts({ stderrTail: 'OOM when allocating tensor' })).reason).toBe('oom');
    expect(classifyExit(facts({ fatal: { code: 'OUT_OF_MEMORY', message: 'x' } }))).toMatchObject({ reason: 'oom', status: 'crashed' });
    expect(classifyExit(facts({ fatal: { code: 'DATASET_ERROR', message: 'x' } }))).toMatchObject({ reason: 'crashed', status: 'failed' });
  });
});
