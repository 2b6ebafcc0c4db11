/**
 * The model being designed and how it will be trained. Every edit replaces the spec (a fresh object), so the
 * summary and the validation below are recomputed from plain data, live, in the renderer: the same code the
 * engine and the CLI use, no round trip to main.
 */
import { validateModel, validateTraining, type SpecIssue } from '../../../common/schema.js';
import { summarize, type ModelSummary } from '../../../common/summarize.js';
import { preset, PRESET_NAMES, withPresetTraining, type PresetName } from '../../../common/presets.js';
import {
  DEFAULT_TRAINING,
  type ExperimentSpec,
  type LayerSpec,
  type LayerType,
  type ModelSpec,
  type TrainingSettings,
} from '../../../common/spec.js';
import { fieldProblem } from '../../../common/layer-fields.js';
import { splitProblem } from '../../../common/split-counts.js';
import { newLayer } from './layer-defaults.js';
import {
  findBlocks,
  insertResidualBlock,
  insertionPoint,
  removeResidualBlock,
  type BlockChoice,
  type BlockSpan,
} from './residual-block-edit.js';
import { fieldMessage, plainIssue, plainMessage } from './plain-issue.js';

export interface DatasetTarget {
  id: string;
  name: string;
  inputShape: [number, number, number];
  classNames: string[];
  /** Training images before the validation split, when the catalog has said (MNIST's placeholder has not). */
  trainCount?: number;
}

export const MNIST_TARGET: DatasetTarget = {
  id: 'mnist',
  name: 'MNIST (bundled)',
  inputShape: [28, 28, 1],
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
};

/** A model brought in with `model:import`: its weights can seed the next run while the model keeps their shapes. */
export interface ImportedModel {
  importId: string;
  source: string;
  warnings: string[];
  /** The images the imported model takes (height, width, channels), whatever the editor's model becomes. */
  inputShape: number[];
  /** The layer structure the weights were made for (see weightsFingerprint). */
  fingerprint: string;
}

/**
 * What the weights depend on: the input shape, and each layer's type, parameter count and output shape.
 * Activations, dropout rates and training settings can change freely; anything that reshapes a weight cannot.
 */
export function weightsFingerprint(model: ModelSpec, summary: ModelSummary): string {
  const layers = summary.layers.map((l) => `${l.type}:${l.params}:${l.outputShape?.join('x') ?? '?'}`);
  return [model.inputShape.join('x'), ...layers].join('|');
}

let nextKey = 1;

/** What Ctrl+Z puts back: the layers, their row keys and where the model came from. */
interface Snapshot {
  model: ModelSpec;
  keys: number[];
  presetName: PresetName | null;
  basedOn: PresetName | null;
  edited: boolean;
}

const UNDO_DEPTH = 50;

export class EditorState {
  model = $state.raw<ModelSpec>(preset('seed-baseline', { inputShape: MNIST_TARGET.inputShape, numClasses: 10 }).model);
  /** Stable keys for the layer list, parallel to model.layers, so reordering moves rows instead of rebuilding them. */
  keys = $state.raw<number[]>([]);
  training = $state.raw<TrainingSettings>({ ...DEFAULT_TRAINING });
  dataset = $state.raw<DatasetTarget>(MNIST_TARGET);
  /** The preset the model came from; cleared once the model is edited by hand. */
  presetName = $state<PresetName | null>('seed-baseline');
  /** The preset an edited model started from, so the editor can say "edited from Baseline". */
  basedOn = $state<PresetName | null>('seed-baseline');
  edited = $state(false);
  private undoStack = $state.raw<Snapshot[]>([]);
  canUndo: boolean = $derived(this.undoStack.length > 0);
  /** The layer picked in the graph view, by its row key so it stays with the layer when layers move. */
  selectedKey = $state<number | null>(null);
  /** Where the picked layer is now, or -1 when none is picked (or it was removed). */
  selectedIndex: number = $derived(this.selectedKey === null ? -1 : this.keys.indexOf(this.selectedKey));
  /** The last imported model, while its weights are on offer for the next run. */
  imported = $state.raw<ImportedModel | null>(null);
  useImportedWeights = $state(true);

  summary: ModelSummary = $derived(summarize(this.model, { numClasses: this.dataset.classNames.length }));
  /**
   * Validation issues, less a generic upper limit on a layer whose shape error explains the problem better
   * (a 40×40 kernel on a 28×28 input is wrong because of the input, not because of the cap of 31).
   */
  issues: SpecIssue[] = $derived.by(() => {
    const r = validateModel(this.model);
    if (r.ok) return [];
    return r.issues.filter(
      (i) => !(i.code === 'too_big' && i.layerIndex !== undefined && this.summary.layers[i.layerIndex]?.error !== undefined),
    );
  });
  trainingIssues: SpecIssue[] = $derived.by(() => {
    const r = validateTraining(this.training);
    return r.ok ? [] : r.issues;
  });

  /** The imported weights still fit the model as edited now. */
  importedFits: boolean = $derived(this.imported !== null && weightsFingerprint(this.model, this.summary) === this.imported.fingerprint);

  /** Why training cannot start, in one sentence, or null when it can. */
  blockedReason: string | null = $derived.by(() => {
    const want = this.model.inputShape.join(' × ');
    const have = this.dataset.inputShape.join(' × ');
    if (want !== have) return `The model takes ${want} images but ${this.dataset.name} has ${have}: pick a dataset with ${want} images`;
    const layerIssue = this.issues[0];
    if (layerIssue) return plainIssue(layerIssue, this.layerType(layerIssue.layerIndex));
    const shapeError = this.summary.errors[0];
    if (shapeError) return plainMessage(shapeError.message);
    const t = this.trainingIssues[0];
    // A schedule's problem is named by its path (e.g. learningRateSchedule.decayRate); other fields by their label.
    if (t?.path.startsWith('training.learningRateSchedule'))
      return `Training settings: ${t.path.replace(/^training\./, '')} is ${JSON.stringify(t.value) ?? 'empty'}; allowed: ${t.allowed}`;
    if (t) return `Training settings: ${fieldProblem('training', t.field, t.value, t.allowed)}`;
    const total = this.dataset.trainCount;
    const split = total === undefined ? null : splitProblem(total, this.training.validationSplit, this.training.batchSize);
    if (split) return `${this.dataset.name}: ${split}`;
    return null;
  });

  constructor() {
    this.keys = this.model.layers.map(() => nextKey++);
  }

  select(index: number): void {
    this.selectedKey = this.keys[index] ?? null;
  }

  layerType(index: number | undefined): string | undefined {
    return index === undefined ? undefined : this.model.layers[index]?.type;
  }

  /** Issues from validation for one layer, keyed by field, so each control can show its own. */
  fieldIssues(index: number): Record<string, string> {
    const out: Record<string, string> = {};
    for (const i of this.issues) if (i.layerIndex === index) out[i.field] = fieldMessage(i, this.layerType(index));
    return out;
  }

  private remember(): void {
    const snap: Snapshot = { model: this.model, keys: this.keys, presetName: this.presetName, basedOn: this.basedOn, edited: this.edited };
    this.undoStack = [...this.undoStack.slice(-(UNDO_DEPTH - 1)), snap];
  }

  /** Puts back the model as it was before the last change to its layers, or a preset or file replacing it. */
  undo(): boolean {
    const snap = this.undoStack.at(-1);
    if (!snap) return false;
    this.undoStack = this.undoStack.slice(0, -1);
    this.model = snap.model;
    this.keys = snap.keys;
    this.presetName = snap.presetName;
    this.basedOn = snap.basedOn;
    this.edited = snap.edited;
    return true;
  }

  private setLayers(layers: LayerSpec[], keys: number[]): void {
    this.remember();
    // An edited preset is no longer that preset: it stops carrying its name, so runs and exports tell them apart.
    const name = this.presetName !== null && this.model.name === this.presetName ? `${this.presetName}-edited` : this.model.name;
    this.model = { ...this.model, layers, ...(name !== undefined ? { name } : {}) };
    this.keys = keys;
    this.presetName = null;
    this.edited = true;
  }

  /** The name runs and exports carry; empty means none (the run is then called "custom model"). */
  setName(name: string): void {
    const model: ModelSpec = { ...this.model, name: name.trim() };
    if (model.name === '') delete model.name;
    this.model = model;
    if (this.presetName !== null && model.name !== this.presetName) this.presetName = null;
    this.edited = true;
  }

  add(type: LayerType, at = this.model.layers.length): void {
    const layers = [...this.model.layers];
    const keys = [...this.keys];
    layers.splice(at, 0, newLayer(type, this.dataset.classNames.length));
    keys.splice(at, 0, nextKey++);
    this.setLayers(layers, keys);
  }

  /** The residual blocks in the list, found by their layers' names. */
  blocks: BlockSpan[] = $derived(findBlocks(this.model.layers));

  /** Where a new block goes: after the picked layer (after its whole block), else at the end. */
  blockInsertionPoint(): number {
    return insertionPoint(this.model.layers, this.selectedIndex);
  }

  /** Channels of what a block inserted at `at` would read, when its shape is known. */
  channelsBefore(at: number): number | undefined {
    const shape = at === 0 ? this.model.inputShape : this.summary.layers[at - 1]?.outputShape;
    return shape && shape.length === 3 ? shape[2] : undefined;
  }

  /** Inserts a residual block as one undoable edit and picks its last layer; returns where its first layer is. */
  insertBlock(choice: BlockChoice, at = this.blockInsertionPoint()): number {
    const inputChannels = this.channelsBefore(at) ?? choice.filters;
    const { layers, count } = insertResidualBlock(this.model.layers, at, inputChannels, choice);
    const keys = [...this.keys];
    keys.splice(at, 0, ...Array.from({ length: count }, () => nextKey++));
    this.setLayers(layers, keys);
    // The block's last layer is picked, so the next block goes after this one.
    this.selectedKey = keys[at + count - 1];
    return at;
  }

  /** Removes every layer of a block as one undoable edit, reconnecting what read its output. */
  removeBlock(prefix: string): void {
    const span = this.blocks.find((b) => b.prefix === prefix);
    if (!span) return;
    this.setLayers(
      removeResidualBlock(this.model.layers, span),
      this.keys.filter((_, i) => i < span.start || i > span.end),
    );
  }

  remove(index: number): void {
    this.setLayers(
      this.model.layers.filter((_, i) => i !== index),
      this.keys.filter((_, i) => i !== index),
    );
  }

  duplicate(index: number): void {
    const layers = [...this.model.layers];
    const keys = [...this.keys];
    const copy = { ...layers[index] };
    delete copy.name;
    layers.splice(index + 1, 0, copy);
    keys.splice(index + 1, 0, nextKey++);
    this.setLayers(layers, keys);
  }

  move(from: number, to: number): void {
    if (from === to || to < 0 || to >= this.model.layers.length) return;
    const layers = [...this.model.layers];
    const keys = [...this.keys];
    const [layer] = layers.splice(from, 1);
    const [key] = keys.splice(from, 1);
    layers.splice(to, 0, layer);
    keys.splice(to, 0, key);
    this.setLayers(layers, keys);
  }

  /** Replaces one field of a layer; `undefined` removes it so the engine's default applies. */
  update(index: number, field: string, value: unknown): void {
    const layer: Record<string, unknown> = { ...this.model.layers[index] };
    if (value === undefined) delete layer[field];
    else layer[field] = value;
    const layers = [...this.model.layers];
    layers[index] = layer as unknown as LayerSpec;
    this.setLayers(layers, this.keys);
  }

  setTraining(patch: Partial<TrainingSettings>): void {
    this.training = { ...this.training, ...patch };
  }

  applyPreset(name: PresetName, remember = true): void {
    if (remember) this.remember();
    const target = { inputShape: this.dataset.inputShape, numClasses: this.dataset.classNames.length };
    const exp = preset(name, target);
    this.model = exp.model;
    // Chosen by the person (not rebuilt for a new dataset): the preset's optimizer, batch and augmentation too.
    if (remember) this.training = withPresetTraining(this.training, name, target);
    this.keys = exp.model.layers.map(() => nextKey++);
    this.presetName = name;
    this.basedOn = name;
    this.edited = false;
  }

  /** A new dataset changes the input shape and class count; presets are rebuilt for it, hand-made models keep their layers. */
  setDataset(target: DatasetTarget): void {
    this.dataset = target;
    if (this.presetName) this.applyPreset(this.presetName, false);
    else this.model = { ...this.model, inputShape: [...target.inputShape] };
  }

  load(exp: ExperimentSpec, presetName: PresetName | null = null, remember = true): void {
    if (remember) this.remember();
    this.model = { ...exp.model, inputShape: [...this.dataset.inputShape] };
    this.keys = exp.model.layers.map(() => nextKey++);
    this.training = { ...exp.training };
    this.presetName = presetName;
    this.basedOn = presetName;
    this.edited = false;
  }

  /** An imported model goes into the editor as it is, input shape included: its weights were made for it. */
  loadImported(exp: ExperimentSpec, imported: Omit<ImportedModel, 'fingerprint'>): void {
    this.model = { ...exp.model, inputShape: [...exp.model.inputShape] };
    this.keys = exp.model.layers.map(() => nextKey++);
    this.training = { ...exp.training };
    this.presetName = null;
    this.basedOn = null;
    this.edited = false;
    this.imported = { ...imported, fingerprint: weightsFingerprint(this.model, this.summary) };
    this.useImportedWeights = true;
  }

  forgetImport(): void {
    this.imported = null;
  }

  /** `training:start`'s initialWeights: set only while the weights fit and the person wants them. */
  get initialWeights(): { importId: string } | undefined {
    return this.imported && this.importedFits && this.useImportedWeights ? { importId: this.imported.importId } : undefined;
  }

  get experiment(): ExperimentSpec {
    return { model: this.model, training: this.training };
  }

  get runName(): string {
    return this.model.name ?? this.presetName ?? 'custom model';
  }
}

export { PRESET_NAMES };
