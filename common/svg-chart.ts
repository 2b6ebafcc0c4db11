/**
 * A line chart as a standalone SVG string: axes with ticks, one line per series, a legend. Used by the
 * series report, whose HTML must open offline in any browser with its charts drawn (no script needed) and
 * whose Markdown needs PNGs (the CLI rasterises this SVG).
 */
export interface ChartLine {
  label: string;
  points: { x: number; y: number }[];
  /** Drawn thicker and marked in the legend. */
  emphasis?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  width?: number;
  height?: number;
  /** Format y ticks as percentages (accuracy). */
  percent?: boolean;
}

// Distinguishable for common colour-vision deficiencies (Okabe–Ito).
const COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#F0E442', '#000000'];

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** About five round tick values covering [min, max]. */
function ticks(min: number, max: number): number[] {
  if (min === max) return [min];
  const step0 = (max - min) / 5;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? step0;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

export function lineChartSvg(lines: ChartLine[], options: ChartOptions): string {
  const width = options.width ?? 560;
  const height = options.height ?? 320;
  const legendRows = Math.ceil(lines.length / 3);
  const pad = { left: 56, right: 16, top: 30, bottom: 44 + legendRows * 18 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const xs = lines.flatMap((l) => l.points.map((p) => p.x));
  const ys = lines.flatMap((l) => l.points.map((p) => p.y));
  const xMin = xs.length ? Math.min(...xs) : 0;
  const xMax = xs.length ? Math.max(...xs) : 1;
  let yMin = ys.length ? Math.min(...ys) : 0;
  let yMax = ys.length ? Math.max(...ys) : 1;
  if (yMin === yMax) [yMin, yMax] = [yMin - 0.5, yMax + 0.5];
  const margin = (yMax - yMin) * 0.05;
  yMin -= margin;
  yMax += margin;
  const sx = (x: number) => pad.left + (xMax === xMin ? plotW / 2 : ((x - xMin) / (xMax - xMin)) * plotW);
  const sy = (y: number) => pad.top + plotH - ((y - yMin) / (yMax - yMin)) * plotH;
  const fmtY = (v: number) => (options.percent ? `${Math.round(v * 1000) / 10}%` : String(Number(v.toPrecision(3))));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${pad.left}" y="18" font-size="13" font-weight="bold" fill="#1d2330">${escapeXml(options.title)}</text>`,
  ];
  for (const t of ticks(yMin, yMax)) {
    const y = sy(t).toFixed(1);
    parts.push(`<line x1="${pad.left}" x2="${width - pad.right}" y1="${y}" y2="${y}" stroke="#e3e6eb"/>`);
    parts.push(`<text x="${pad.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#5d6677">${fmtY(t)}</text>`);
  }
  for (const t of ticks(xMin, xMax).filter((v) => Number.isInteger(v))) {
    const x = sx(t).toFixed(1);
    parts.push(`<text x="${x}" y="${pad.top + plotH + 16}" text-anchor="middle" fill="#5d6677">${t}</text>`);
  }
  parts.push(
    `<rect x="${pad.left}" y="${pad.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#c3c8d1"/>`,
    `<text x="${pad.left + plotW / 2}" y="${pad.top + plotH + 32}" text-anchor="middle" fill="#5d6677">${escapeXml(options.xLabel)}</text>`,
  );
  lines.forEach((line, i) => {
    const color = COLORS[i % COLORS.length];
    const d = line.points.map((p, j) => `${j ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join('');
    if (d) parts.push(`<path class="series" d="${d}" fill="none" stroke="${color}" stroke-width="${line.emphasis ? 3 : 1.6}"/>`);
    for (const p of line.points) parts.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="2.2" fill="${color}"/>`);
    const lx = pad.left + (i % 3) * (plotW / 3);
    const ly = pad.top + plotH + 50 + Math.floor(i / 3) * 18;
    parts.push(
      `<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="${line.emphasis ? 3 : 1.6}"/>`,
    );
    parts.push(`<text x="${lx + 24}" y="${ly}" fill="#1d2330">${escapeXml(line.label + (line.emphasis ? ' (best)' : ''))}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
