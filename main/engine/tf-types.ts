/** The TensorFlow.js namespace the engine works with, whichever backend provides it. */
import type * as tfjs from '@tensorflow/tfjs';
import type { BackendInfo } from '../../common/training-events.js';

export type TF = typeof tfjs;
export type LayersModel = tfjs.LayersModel;
export type Tensor = tfjs.Tensor;

export interface EngineBackend extends BackendInfo {
  tf: TF;
}
