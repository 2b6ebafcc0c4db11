/**
 * Validation and shape messages rewritten for people: `layers[3] conv2d_1 (Conv2D): ...` becomes
 * `Layer 4 (conv2d_1): ...`, counting layers from 1 as the editor shows them.
 */
import type { SpecIssue } from '../../../common/schema.js';

export function plainMessage(message: string): string {
  return message
    .replace(/^layers\[(\d+)\] (\S+) \((\w+)\): /, (_m, i: string, name: string) => `Layer ${Number(i) + 1} (${name}): `)
    .replace(/^layers\[(\d+)\] \((\w+)\): layers\[\d+\]\./, (_m, i: string, type: string) => `Layer ${Number(i) + 1} (${type}): `);
}

export function plainIssue(issue: SpecIssue): string {
  if (issue.layerIndex !== undefined)
    return `Layer ${issue.layerIndex + 1}: ${issue.field} is ${JSON.stringify(issue.value) ?? 'empty'}; allowed: ${issue.allowed}`;
  return issue.message;
}
