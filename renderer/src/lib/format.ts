/** Number and time formatting shared by the panels, fixed-width where values stream so nothing jumps. */

export function fmtInt(n: number): string {
  return n.toLocaleString('en-US');
}

export function fmtShape(shape: number[] | null): string {
  if (shape === null) return '—';
  return shape.join(' × ');
}

export function fmtPct(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(2)}%`;
}

export function fmtMetric(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(4);
}

export function fmtDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s % 60);
  if (m < 60) return `${m} min ${String(rest).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export function fmtDate(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString('en-GB', { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

/** The time of day, e.g. 14:03:27, for log dividers. */
export function fmtClock(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString('en-GB');
}
