/**
 * What the merge layers (Add, Concatenate) share: the output shape from the
 * inputs' shapes, or a plain-language error naming the inputs that disagree: "inputs conv2d_4 (16x16x32)
 * and max_pooling2d (16x16x16) differ in channels". Merges have no weights.
 */
import type { Shape } from './descriptor.js';
import { describeShape as shapeText } from './helpers.js';

function joinWords(words: string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** How two shapes differ, in the axes given (all three for Add, height and width for Concatenate). */
function difference(a: Shape, b: Shape, axes: number[]): string | undefined {
  if (a.length !== b.length) return 'differ in kind (one is an image, the other a vector)';
  if (a.length === 1) return axes.includes(2) && a[0] !== b[0] ? 'differ in length' : undefined;
  const words = ['height', 'width', 'channels'];
  const differing = axes.filter((k) => a[k] !== b[k]).map((k) => words[k]);
  return differing.length > 0 ? `differ in ${joinWords(differing)}` : undefined;
}

/** The merge's output shape, or the error on it. `names` are the inputs' names, in `shapes` order. */
export function mergeShape(type: 'Add' | 'Concatenate', shapes: Shape[], names: string[]): Shape | string {
  const first = shapes[0];
  // Concatenate joins along the last axis, so only height and width must agree (and the kind of shape).
  const axes = type === 'Add' ? [0, 1, 2] : [0, 1];
  for (let k = 1; k < shapes.length; k++) {
    const why = difference(first, shapes[k], axes);
    if (why) {
      const hint =
        type === 'Add'
          ? 'Add needs inputs of one shape (a 1x1 Conv2D on the shortcut can match them)'
          : 'Concatenate needs images of one height and width, or vectors';
      return `inputs ${names[0]} (${shapeText(first)}) and ${names[k]} (${shapeText(shapes[k])}) ${why}; ${hint}`;
    }
  }
  if (type === 'Add') return [...first];
  const last = shapes.reduce((sum, s) => sum + s[s.length - 1], 0);
  return [...first.slice(0, -1), last];
}
