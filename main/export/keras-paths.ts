/**
 * Where Keras 3 keeps each layer's variables inside `model.weights.h5`: not under the layer's own name (which
 * is often auto-generated and so not reproducible) but under its class name in snake_case, numbered per class
 * in layer order: `layers/conv2d`, `layers/conv2d_1`, `layers/batch_normalization` ...
 */

/** Keras's `naming.to_snake_case`: `MaxPooling2D` -> `max_pooling2d`, `ReLU` -> `re_lu`. */
export function kerasSnakeCase(className: string): string {
  return className
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** The group name of each layer under `layers/`, given the layers' class names in model order. */
export function kerasWeightPaths(classNames: string[]): string[] {
  const used = new Map<string, number>();
  return classNames.map((cls) => {
    const base = kerasSnakeCase(cls);
    const n = used.get(base);
    used.set(base, n === undefined ? 0 : n + 1);
    return n === undefined ? base : `${base}_${n + 1}`;
  });
}
