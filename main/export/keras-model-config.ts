/**
 * The parts of a Keras model configuration that import reads (Keras 3 `config.json`, a legacy `.h5`
 * `model_config`, a TensorFlow.js `modelTopology`: all use Keras's snake_case keys), and the error every
 * import step throws, naming the file at fault.
 */

export interface KerasLayerConfig {
  class_name: string;
  config: Record<string, unknown>;
  name?: string;
  inbound_nodes?: unknown;
}

export interface KerasConfig {
  class_name?: string;
  config?: { name?: string; layers?: KerasLayerConfig[]; input_layers?: unknown; output_layers?: unknown } | KerasLayerConfig[];
}

export class KerasImportError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'KerasImportError';
  }
}
