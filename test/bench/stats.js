// Median and spread of repeated measurements.

export function summarize(values) {
  const sorted = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  return { median, min, max, spreadPct: median > 0 ? ((max - min) / median) * 100 : 0, n: sorted.length, values };
}

export function ratio(a, b) {
  return a && b && b.median > 0 ? a.median / b.median : null;
}
