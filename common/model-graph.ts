/**
 * A model spec as a directed acyclic graph: which layers each layer reads (its `inputs`), resolved to
 * indexes, and the problems that keep a list of layers from being a graph Layerbench can build. A spec
 * whose layers all read the layer before them is a chain, the short form every older spec has.
 *
 * The rules (the spec format): layers are listed so that every layer comes after the layers it reads;
 * `inputs` names earlier layers (their `name`, or the default name `layerNames` gives them) or "input", the
 * model input; omitted, a layer reads the layer before it (the first one the model input). Merge layers
 * (Add, Concatenate) read 2 to 8 inputs, every other layer exactly one. The last layer is the model's
 * output and every other layer's output must be read by some later layer. Names are unique.
 */
import type { LayerSpec } from './spec.js';

/** The reserved name of the model input in `inputs`; no layer may take it. */
export const MODEL_INPUT = 'input';
/** The index `inputs` resolve to for the model input. */
export const MODEL_INPUT_INDEX = -1;
export const MERGE_INPUTS = { min: 2, max: 8 } as const;

const MERGE_TYPES: readonly string[] = ['Add', 'Concatenate'];

/** Whether a layer type merges several inputs into one (Add, Concatenate). */
export function isMergeType(type: string): boolean {
  return MERGE_TYPES.includes(type);
}

export interface GraphProblem {
  layerIndex: number;
  field: 'inputs' | 'name';
  value: unknown;
  allowed: string;
  /** Says what is wrong, without the layer's own label (the caller adds "layers[3] conv2d_1 (Conv2D): "). */
  problem: string;
}

export interface ResolvedGraph {
  /** For each layer, the indexes of the layers it reads (-1: the model input); empty where they could not be resolved. */
  inputs: number[][];
  problems: GraphProblem[];
  /** Whether every layer reads exactly the layer before it (Keras's Sequential). */
  isChain: boolean;
}

/** The `inputs` a layer declares, if any (tolerant of unchecked input, as the editor's summaries are). */
function declaredInputs(layer: LayerSpec): unknown {
  return (layer as { inputs?: unknown }).inputs;
}

function listed(names: readonly string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}

/**
 * Resolves every layer's inputs against `names` (the layers' names, as `layerNames` gives them) and checks
 * the graph rules. Problems are reported on the layer at fault; the unused-output rule is only checked
 * when every input resolved, since a misspelt input would otherwise also report the layer it meant.
 */
export function resolveGraph(layers: readonly LayerSpec[], names: readonly string[]): ResolvedGraph {
  const problems: GraphProblem[] = [];
  const firstIndex = new Map<string, number>();
  names.forEach((name, i) => {
    if (name === MODEL_INPUT) {
      problems.push({
        layerIndex: i,
        field: 'name',
        value: name,
        allowed: `any name but "${MODEL_INPUT}"`,
        problem: `the name "${MODEL_INPUT}" is reserved for the model input; choose another name`,
      });
      return;
    }
    const earlier = firstIndex.get(name);
    if (earlier === undefined) {
      firstIndex.set(name, i);
      return;
    }
    const whose = (j: number) => (layers[j].name ? 'is also the name of' : 'is also the default name of');
    problems.push({
      layerIndex: i,
      field: 'name',
      value: name,
      allowed: 'a name no other layer has',
      problem: `the name "${name}" ${whose(earlier)} layers[${earlier}] (${layers[earlier].type}); layer names must be unique`,
    });
  });

  const inputs: number[][] = layers.map((layer, i) => {
    const declared = declaredInputs(layer);
    const merge = isMergeType(layer.type);
    const fault = (value: unknown, allowed: string, problem: string): number[] => {
      problems.push({ layerIndex: i, field: 'inputs', value, allowed, problem });
      return [];
    };
    if (declared === undefined) {
      if (merge) {
        const allowed = `the names of ${MERGE_INPUTS.min} to ${MERGE_INPUTS.max} earlier layers`;
        return fault(declared, allowed, `${layer.type} needs inputs: ${allowed} (or "${MODEL_INPUT}")`);
      }
      return [i - 1];
    }
    if (!Array.isArray(declared) || declared.some((n) => typeof n !== 'string')) {
      return fault(declared, 'a list of layer names', `inputs must be a list of layer names`);
    }
    const given = declared as string[];
    if (merge && (given.length < MERGE_INPUTS.min || given.length > MERGE_INPUTS.max)) {
      const allowed = `${MERGE_INPUTS.min} to ${MERGE_INPUTS.max} inputs`;
      return fault(given, allowed, `${layer.type} merges ${allowed}, but inputs lists ${given.length}`);
    }
    if (!merge && given.length !== 1) {
      return fault(
        given,
        'exactly one input',
        `${layer.type} reads exactly one input, but inputs lists ${given.length} (${listed(given)})`,
      );
    }
    const resolved: number[] = [];
    for (const name of given) {
      if (name === MODEL_INPUT) {
        resolved.push(MODEL_INPUT_INDEX);
        continue;
      }
      const j = names.indexOf(name);
      if (j >= 0 && j < i) {
        resolved.push(j);
        continue;
      }
      const allowed = `"${MODEL_INPUT}" or the name of an earlier layer`;
      if (j === i) return fault(name, allowed, `input "${name}" is this layer itself; a layer cannot read its own output`);
      if (j > i) {
        return fault(
          name,
          allowed,
          `input "${name}" is layers[${j}], which comes after this layer; a layer can only read layers listed before it (move it, or this is a cycle)`,
        );
      }
      return fault(name, allowed, `input "${name}" is not the name of any layer (nor "${MODEL_INPUT}", the model input)`);
    }
    return resolved;
  });

  const inputsResolved = !problems.some((p) => p.field === 'inputs');
  if (inputsResolved) {
    const read = new Set(inputs.flat());
    for (let i = 0; i < layers.length - 1; i++) {
      if (read.has(i)) continue;
      problems.push({
        layerIndex: i,
        field: 'inputs',
        value: names[i],
        allowed: 'an output some later layer reads',
        problem: `${names[i]}'s output is not used by any later layer; only the last layer is the model's output (list it in a later layer's inputs, or remove it)`,
      });
    }
  }
  const isChain = inputs.every((ins, i) => ins.length === 1 && ins[0] === i - 1);
  problems.sort((a, b) => a.layerIndex - b.layerIndex);
  return { inputs, problems, isChain };
}
