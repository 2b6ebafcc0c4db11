/**
 * Builds a TensorFlow graph as data (NodeDefs) and serializes it as a SavedModel, the form tfjs-node's
 * binding can load into a TensorFlow session and run in one call (`loadSavedModel` / `runSavedModel`).
 * Only the messages and attribute kinds Layerbench's graphs use are written.
 */
import { ProtoWriter } from './protobuf.js';

/** TensorFlow DataType enum values (types.proto). */
export const DT = { float: 1, int32: 3, int64: 9, bool: 10 } as const;
export type DType = keyof typeof DT;

/** A tensor in the graph: "node" (output 0) or "node:k". */
export type Out = string & { readonly __out: unique symbol };

export type AttrValue =
  | { type: DType }
  | { i: number }
  | { f: number }
  | { b: boolean }
  | { s: string }
  | { ints: readonly number[] }
  | { shape: readonly number[] | null }
  | { tensor: { dtype: DType; shape: readonly number[]; data: Float32Array | Int32Array } };

interface NodeDef {
  name: string;
  op: string;
  inputs: string[];
  attrs: Record<string, AttrValue>;
}

/** GraphDef producer version: TensorFlow 2.x reads graphs from any producer it is newer than. */
const PRODUCER = 1205;

export class GraphBuilder {
  private nodes: NodeDef[] = [];
  private names = new Set<string>();

  private unique(base: string): string {
    let name = base.replace(/[^A-Za-z0-9_./-]/g, '_');
    if (!/^[A-Za-z0-9.]/.test(name)) name = `n${name}`;
    for (let k = 1; this.names.has(name); k++) name = `${base}_${k}`;
    this.names.add(name);
    return name;
  }

  /** Adds a node; returns its output `index` (0 by default). */
  op(op: string, inputs: readonly Out[], attrs: Record<string, AttrValue> = {}, name: string = op): Out {
    const node = { name: this.unique(name), op, inputs: [...inputs], attrs };
    this.nodes.push(node);
    return node.name as Out;
  }

  /** All `count` outputs of a multi-output node. */
  ops(op: string, inputs: readonly Out[], count: number, attrs: Record<string, AttrValue> = {}, name: string = op): Out[] {
    const first = this.op(op, inputs, attrs, name);
    return Array.from({ length: count }, (_, k) => (k === 0 ? first : (`${first}:${k}` as Out)));
  }

  placeholder(name: string, dtype: DType, shape: readonly number[] | null): Out {
    const out = this.op('Placeholder', [], { dtype: { type: dtype }, shape: { shape } }, name);
    if (out !== name) throw new Error(`graph input name ${name} is taken`);
    return out;
  }

  const(
    values: readonly number[] | Float32Array | Int32Array,
    shape: readonly number[],
    dtype: 'float' | 'int32' = 'float',
    name = 'Const',
  ): Out {
    const data = dtype === 'float' ? Float32Array.from(values) : Int32Array.from(values);
    return this.op('Const', [], { dtype: { type: dtype }, value: { tensor: { dtype, shape, data } } }, name);
  }

  scalar(value: number, dtype: 'float' | 'int32' = 'float'): Out {
    return this.const([value], [], dtype);
  }

  /** Names a tensor with an Identity node, so the caller can fetch it as `name:0`. */
  /** `after`: nodes that must have run before this output is produced (control dependencies). */
  output(name: string, value: Out, dtype: DType = 'float', after: readonly string[] = []): string {
    const out = this.op('Identity', [value, ...after.map((node) => `^${node}` as Out)], { T: { type: dtype } }, name);
    if (out !== name) throw new Error(`graph output name ${name} is taken`);
    return `${out}:0`;
  }

  /** The graph as a serialized SavedModel (saved_model.pb) with one MetaGraph tagged `serve`. */
  toSavedModel(): Uint8Array {
    return new ProtoWriter()
      .int(1, 1) // saved_model_schema_version
      .message(2, (meta) =>
        meta
          .message(1, (info) => info.string(4, 'serve')) // meta_info_def.tags
          .message(2, (graph) => {
            for (const node of this.nodes) graph.message(1, (w) => writeNode(w, node));
            graph.message(4, (versions) => versions.int(1, PRODUCER));
          }),
      )
      .finish();
  }

  get size(): number {
    return this.nodes.length;
  }
}

const dtypeNumber = (d: DType) => DT[d];

function writeShape(w: ProtoWriter, shape: readonly number[] | null): void {
  if (shape === null) {
    w.int(3, true); // unknown_rank
    return;
  }
  for (const size of shape) w.message(2, (dim) => dim.int(1, size));
}

function writeAttr(w: ProtoWriter, value: AttrValue): void {
  if ('type' in value) w.int(6, dtypeNumber(value.type));
  else if ('i' in value) w.int(3, value.i);
  else if ('f' in value) w.float(4, value.f);
  else if ('b' in value) w.int(5, value.b);
  else if ('s' in value) w.string(2, value.s);
  else if ('ints' in value) w.message(1, (list) => list.packedInts(3, value.ints));
  else if ('shape' in value) w.message(7, (s) => writeShape(s, value.shape));
  else {
    const { dtype, shape, data } = value.tensor;
    w.message(8, (t) =>
      t
        .int(1, dtypeNumber(dtype))
        .message(2, (s) => writeShape(s, shape))
        .bytes(4, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)),
    );
  }
}

function writeNode(w: ProtoWriter, node: NodeDef): void {
  w.string(1, node.name).string(2, node.op);
  for (const input of node.inputs) w.string(3, input);
  for (const [key, value] of Object.entries(node.attrs)) {
    w.message(5, (entry) => entry.string(1, key).message(2, (v) => writeAttr(v, value)));
  }
}
