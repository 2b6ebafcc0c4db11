/**
 * chart.js, registered once with only the pieces the line charts use, and themed from the page's CSS
 * variables so charts follow the OS's light or dark theme.
 */
import { CategoryScale, Chart, Filler, Legend, LineController, LineElement, LinearScale, PointElement, Tooltip } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip, Filler);

/** Distinct colours for runs and series, readable on light and dark backgrounds. */
export const SERIES_COLORS = ['#2f6fde', '#e0672b', '#2e9d75', '#b548c6', '#c9a227', '#d43d5e', '#4aa3c7', '#7a5cff'];

export function colorAt(i: number): string {
  return SERIES_COLORS[i % SERIES_COLORS.length];
}

export interface ChartTheme {
  text: string;
  grid: string;
  muted: string;
}

export function readTheme(): ChartTheme {
  return { text: resolveColor('--text', '#1d2330'), muted: resolveColor('--muted', '#5d6677'), grid: resolveColor('--border', '#dcdfe5') };
}

/**
 * A palette variable as a colour a canvas understands: the variables hold `light-dark(…)`, which only the
 * browser's style engine resolves, so it is applied to a hidden probe and read back as rgb().
 */
export function resolveColor(variable: string, fallback: string): string {
  const probe = document.createElement('span');
  probe.style.display = 'none';
  probe.style.color = `var(${variable})`;
  document.body.appendChild(probe);
  const color = getComputedStyle(probe).color;
  probe.remove();
  return color || fallback;
}

export { Chart };
