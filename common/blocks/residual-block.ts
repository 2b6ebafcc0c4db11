/**
 * The residual block of He et al. (2016) as graph layers: two 3x3 Conv2D + BatchNormalization with ReLU between
 * them, added to a shortcut (the block's input itself, or a 1x1 Conv2D + BatchNormalization projection where
 * the stride or the filter count changes the shape), then ReLU. The editor inserts it and `resnet20` stacks it;
 * both produce ordinary layers, so a block is edited, saved, trained and exported like any other layers.
 */
import type { LayerSpec } from '../spec.js';

export type ShortcutKind = 'identity' | 'projection';

export interface ResidualBlockSettings {
  /** Names the block's layers: `<prefix>_conv1`, ..., `<prefix>_out`. */
  prefix: string;
  /** The layer the block reads ("input" for the model input). */
  input: string;
  /** Channels of that input, to know whether an identity shortcut fits. */
  inputChannels: number;
  filters: number;
  strides: number;
  /** Defaults to identity where the shapes allow it, else projection. */
  shortcut?: ShortcutKind;
}

/** Why an identity shortcut cannot be used, or undefined when it can. */
export function identityShortcutProblem(s: Pick<ResidualBlockSettings, 'inputChannels' | 'filters' | 'strides'>): string | undefined {
  if (s.strides !== 1) return `an identity shortcut keeps the input's size, but strides ${s.strides} shrink it: use a projection`;
  if (s.inputChannels !== s.filters)
    return `an identity shortcut keeps the input's ${s.inputChannels} channels, but the block has ${s.filters} filters: use a projection`;
  return undefined;
}

export function residualBlock(s: ResidualBlockSettings): LayerSpec[] {
  const shortcut = s.shortcut ?? (identityShortcutProblem(s) ? 'projection' : 'identity');
  const p = s.prefix;
  const conv = (name: string, input: string | undefined, kernelSize: number, strides: number): LayerSpec => ({
    type: 'Conv2D',
    filters: s.filters,
    kernelSize,
    ...(strides !== 1 ? { strides } : {}),
    padding: 'same',
    useBias: false,
    name,
    ...(input !== undefined ? { inputs: [input] } : {}),
  });
  const layers: LayerSpec[] = [
    conv(`${p}_conv1`, s.input, 3, s.strides),
    { type: 'BatchNormalization', name: `${p}_bn1` },
    { type: 'Activation', activation: 'relu', name: `${p}_relu1` },
    conv(`${p}_conv2`, undefined, 3, 1),
    { type: 'BatchNormalization', name: `${p}_bn2` },
  ];
  let shortcutName = s.input;
  if (shortcut === 'projection') {
    layers.push(conv(`${p}_proj`, s.input, 1, s.strides), { type: 'BatchNormalization', name: `${p}_proj_bn` });
    shortcutName = `${p}_proj_bn`;
  }
  layers.push(
    { type: 'Add', inputs: [`${p}_bn2`, shortcutName], name: `${p}_add` },
    { type: 'Activation', activation: 'relu', name: `${p}_out` },
  );
  return layers;
}
