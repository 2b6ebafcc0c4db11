/**
 * Validation and shape messages rewritten for people: `layers[3] conv2d_1 (Conv2D): ...` becomes
 * `Layer 4 (conv2d_1): ...`, counting layers from 1 as the editor shows them.
 */
import { fieldProblem } from '../../../common/layer-fields.js';
import { GRAPH_ISSUE, type SpecIssue } from '../../../common/schema.js';

export function plainMessage(message: string): string {
  return message
    .replace(/^layers\[(\d+)\] (\S+) \((\w+)\): /, (_m, i: string, name: string) => `Layer ${Number(i) + 1} (${name}): `)
    .replace(/^layers\[(\d+)\] \((\w+)\): layers\[\d+\]\./, (_m, i: string, type: string) => `Layer ${Number(i) + 1} (${type}): `);
}

/** The field's own sentence, with the label the editor shows ("Filters is empty; enter ..."). */
export function fieldMessage(issue: SpecIssue, layerType: string | undefined): string {
  // A graph issue (an unknown input, a duplicate name) explains itself: its message without the layer label.
  if (issue.code === GRAPH_ISSUE) return issue.message.replace(/^layers\[\d+\] \S+ \(\w+\): /, '');
  return fieldProblem(layerType, issue.field, issue.value, issue.allowed);
}

export function plainIssue(issue: SpecIssue, layerType?: string): string {
  if (issue.layerIndex !== undefined) return `Layer ${issue.layerIndex + 1}: ${fieldMessage(issue, layerType)}`;
  return issue.message;
}
