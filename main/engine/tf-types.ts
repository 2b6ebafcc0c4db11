/** The TensorFlow.js namespace the engine works with, whichever backend provides it. */
import type { BackendInfo } from '../../common/training-events.js';

export type TF = typeof import('@tensorflow/tfjs');
export type LayersModel = import('@tensorflow/tfjs').LayersModel;
export type Tensor = import('@tensorflow/tfjs').Tensor;

export interface EngineBackend extends BackendInfo {
  tf: TF;
}
