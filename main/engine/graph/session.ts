/**
 * Runs a GraphBuilder graph in a TensorFlow session through tfjs-node's SavedModel support: the graph is
 * written to a private temporary folder as saved_model.pb, loaded (TensorFlow then owns it in memory)
 * and the folder removed. Each run() is one call into TensorFlow, which executes the whole graph with
 * its graph optimizations, instead of one eager dispatch per operation.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tensor, TF } from '../tf-types.js';
import type { GraphBuilder } from './graph-def.js';

/** What this uses of tfjs-node's NodeJSKernelBackend. */
interface SavedModelBackend {
  loadSavedModelMetaGraph(path: string, tags: string): number;
  runSavedModel(id: number, inputs: Tensor[], inputInfos: { name: string; tfDtype?: string }[], outputNames: string[]): Tensor[];
  deleteSavedModel(id: number): void;
}

export class GraphSession {
  private id: number | undefined;

  private constructor(
    private readonly backend: SavedModelBackend,
    id: number,
  ) {
    this.id = id;
  }

  /** Loads the graph; throws when the backend is not native TensorFlow or TensorFlow rejects the graph. */
  static load(tf: TF, graph: GraphBuilder): GraphSession {
    if (tf.getBackend() !== 'tensorflow') throw new Error('graph sessions need the native TensorFlow backend');
    const backend = tf.backend() as unknown as SavedModelBackend;
    const dir = mkdtempSync(join(tmpdir(), 'layerbench-graph-'));
    try {
      writeFileSync(join(dir, 'saved_model.pb'), graph.toSavedModel());
      return new GraphSession(backend, backend.loadSavedModelMetaGraph(dir, 'serve'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /**
   * Feeds `inputs` to the placeholders `inputNames` and returns the tensors `outputNames` ("node:0"); only
   * what those outputs need runs. Variables in the graph keep their values from run to run.
   */
  run(inputNames: readonly string[], inputs: readonly Tensor[], outputNames: readonly string[]): Tensor[] {
    if (this.id === undefined) throw new Error('the graph session was disposed');
    if (inputs.length !== inputNames.length) throw new Error(`${inputNames.length} graph inputs named, ${inputs.length} given`);
    return this.backend.runSavedModel(
      this.id,
      [...inputs],
      inputNames.map((name) => ({ name: `${name}:0` })),
      [...outputNames],
    );
  }

  dispose(): void {
    if (this.id === undefined) return;
    this.backend.deleteSavedModel(this.id);
    this.id = undefined;
  }
}

/**
 * Whether training and inference should run as TensorFlow graphs: on native TensorFlow, unless
 * LAYERBENCH_EAGER_STEP=1 asks for tfjs's eager execution (the benchmark's before/after).
 */
export function graphsWanted(tf: TF): boolean {
  if (tf.getBackend() !== 'tensorflow') return false;
  return process.env.LAYERBENCH_EAGER_STEP !== '1';
}
