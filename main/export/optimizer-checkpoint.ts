/**
 * The optimizer state Layerbench keeps in a run's `last` checkpoint (optimizer.json: TensorFlow.js weight
 * specs; optimizer.bin: their values), read without TensorFlow so an export can carry it to Keras. Slot names
 * are TensorFlow.js's: `<layer>/<variable>[_<n>]/<slot>` (m, v for Adam; rms, momentum for RMSprop; momentum
 * for SGD), plus the scalar `iter`, the number of steps taken.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { OPTIMIZER_BIN, OPTIMIZER_JSON } from '../../common/model-files.js';
import type { WeightArray } from './weights.js';

export interface SavedOptimizerState {
  /** Where it was read from, for messages. */
  file: string;
  /** TensorFlow.js's class name: Adam, RMSProp, Momentum. */
  className: string;
  iterations: number;
  /** `<layer>/<variable>` -> slot name -> values. */
  slots: Map<string, Map<string, WeightArray>>;
}

interface Spec {
  name: string;
  shape: number[];
  dtype: string;
}

export class OptimizerStateError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'OptimizerStateError';
  }
}

const SLOT_NAME = /^(.+)\/([^/]+?)(?:_\d+)?\/([^/]+)$/;

/** The state in `dir` (a checkpoint folder), or undefined when it holds none. */
export async function readOptimizerState(dir: string): Promise<SavedOptimizerState | undefined> {
  const file = path.join(dir, OPTIMIZER_JSON);
  if (!(await stat(file).catch(() => undefined))) return undefined;
  const fail = (why: string) => new OptimizerStateError(`the optimizer state in ${dir} cannot be read: ${why}`, file);
  let parsed: { optimizer?: unknown; specs?: unknown };
  let bytes: Buffer;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8')) as typeof parsed;
    bytes = await readFile(path.join(dir, OPTIMIZER_BIN));
  } catch (e) {
    throw fail((e as Error).message);
  }
  if (typeof parsed.optimizer !== 'string' || !Array.isArray(parsed.specs)) throw fail(`${OPTIMIZER_JSON} has no optimizer and specs`);
  const state: SavedOptimizerState = { file, className: parsed.optimizer, iterations: 0, slots: new Map() };
  let offset = 0;
  for (const spec of parsed.specs as Spec[]) {
    if (spec.dtype !== 'float32' && spec.dtype !== 'int32') throw fail(`"${spec.name}" has dtype ${spec.dtype}`);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (offset + size * 4 > bytes.length) throw fail(`${OPTIMIZER_BIN} ends before "${spec.name}"`);
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, size * 4);
    offset += size * 4;
    if (spec.name === 'iter') {
      state.iterations = spec.dtype === 'int32' ? view.getInt32(0, true) : Math.round(view.getFloat32(0, true));
      continue;
    }
    const match = SLOT_NAME.exec(spec.name);
    if (!match || spec.dtype !== 'float32') throw fail(`unexpected variable "${spec.name}"`);
    const [, layer, variable, slot] = match;
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = view.getFloat32(i * 4, true);
    const key = `${layer}/${variable}`;
    if (!state.slots.has(key)) state.slots.set(key, new Map());
    state.slots.get(key)!.set(slot, { shape: spec.shape, data });
  }
  return state;
}
