/**
 * How deeply parsed JSON nests. `JSON.parse` accepts any depth, but `JSON.stringify`, structured clone and
 * recursive validation overflow the stack at a few thousand levels, so a request or spec file that nests deeper
 * than any real one is refused before anything recurses over it.
 */

/** No spec or request comes close: a spec's deepest value (a layer's kernel size) is 5 levels down. */
export const MAX_JSON_DEPTH = 64;

/**
 * The path (keys and indexes) to the first value nested deeper than `maxDepth` arrays and objects, or null
 * when none is. Walks with its own stack, so it cannot overflow on the input it is there to catch.
 */
export function tooDeepAt(value: unknown, maxDepth = MAX_JSON_DEPTH): (string | number)[] | null {
  if (value === null || typeof value !== 'object') return null;
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (path.length >= maxDepth) return path;
    const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((item, i) => [i, item]) : Object.entries(v as object);
    // Only arrays and objects go on the stack: a long array of numbers costs no paths.
    for (const [key, item] of entries) if (item !== null && typeof item === 'object') stack.push({ value: item, path: [...path, key] });
  }
  return null;
}

/** `model.notes[0][0]…`: where a too-deep value starts, short enough for a message. */
export function describeJsonPath(path: (string | number)[], shown = 4): string {
  const text = path
    .slice(0, shown)
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join('');
  return (text || '(top level)') + (path.length > shown ? '…' : '');
}

/** The sentence every refusal uses, naming what was sent or opened (`what`). */
export function tooDeepMessage(what: string, path: (string | number)[], maxDepth = MAX_JSON_DEPTH): string {
  return `${what} nests too deeply: ${describeJsonPath(path)} holds more than ${maxDepth} levels of arrays and objects`;
}
