/**
 * How many images a validation split holds out, computed once for the engine's split and for the editor,
 * so Start can be disabled with the same reason training would fail with.
 */

/** Images held out for validation: a fraction (below 1) of the set, rounded, or a count. */
export function validationCount(total: number, validation: number): number {
  return validation < 1 ? Math.round(total * validation) : Math.floor(validation);
}

/**
 * Why these settings cannot train on a set of `total` images, or null: the split leaves no training images,
 * or a batch is larger than the training images.
 */
export function splitProblem(total: number, validation: number, batchSize: number): string | null {
  const held = validationCount(total, validation);
  if (held < 0 || held >= total) return `a validation split of ${validation} leaves no training images (the set has ${total})`;
  const train = total - held;
  if (batchSize > train) {
    return `batch size ${batchSize} is larger than the ${train} training images (${total} images, ${held} held out for validation); choose a batch size of at most ${train}`;
  }
  return null;
}
