/**
 * A series report as documents people share: a self-contained HTML page (charts inline as SVG, no scripts,
 * opens offline in any browser) and Markdown that refers to PNG charts beside it.
 */
import { CURVE_METRICS, formatStat, type CurveMetric, type SeriesReport } from './series-report.js';
import { escapeXml, lineChartSvg } from './svg-chart.js';

const CHART_TITLES: Record<CurveMetric, string> = {
  loss: 'Training loss',
  accuracy: 'Training accuracy',
  val_loss: 'Validation loss',
  val_accuracy: 'Validation accuracy',
};

/** One chart per metric that some group recorded (val_* are absent without a validation set). */
export function reportCharts(report: SeriesReport): { metric: CurveMetric; svg: string }[] {
  return CURVE_METRICS.filter((m) => report.groups.some((g) => g.curves[m].length > 0)).map((metric) => ({
    metric,
    svg: lineChartSvg(
      report.groups.map((g) => ({ label: g.group, emphasis: g.best, points: g.curves[metric].map((p) => ({ x: p.epoch, y: p.value })) })),
      { title: CHART_TITLES[metric], xLabel: 'epoch', percent: metric.endsWith('accuracy') },
    ),
  }));
}

/** The variant table's columns; the app's Report view shows the same table. */
export const REPORT_HEADERS = [
  'variant',
  'settings',
  'runs',
  'final val_accuracy',
  'best val_accuracy (epoch)',
  'train − val gap',
  's/epoch',
  'params',
];

export function reportGroupCells(report: SeriesReport): string[][] {
  return report.groups.map((g) => [
    g.group + (g.best ? ' ★' : ''),
    g.settings || '–',
    String(g.runs),
    formatStat(g.finalValAccuracy),
    `${formatStat(g.bestValAccuracy)} (${g.bestEpochs.join(', ') || '–'})`,
    formatStat(g.gap),
    g.msPerEpoch ? formatStat({ ...g.msPerEpoch, mean: g.msPerEpoch.mean / 1000, sd: g.msPerEpoch.sd / 1000 }, 1) : '–',
    g.totalParams.toLocaleString('en-US'),
  ]);
}

const RUN_HEADERS = ['run', 'variant', 'seed', 'status', 'epochs', 'final val_accuracy', 'best val_accuracy', 'best epoch'];

function runCells(report: SeriesReport): string[][] {
  const f = (v: number | null) => (v === null ? '–' : v.toFixed(4));
  return report.runs.map((r) => [
    r.id,
    r.group,
    String(r.seed),
    r.status,
    String(r.epochs),
    f(r.finalValAccuracy),
    f(r.bestValAccuracy),
    r.bestEpoch === null ? '–' : String(r.bestEpoch),
  ]);
}

function spreadNote(report: SeriesReport): string {
  return report.groups.some((g) => g.runs > 1)
    ? 'Values are mean ± sample standard deviation across repeats (one seed each).'
    : 'One run per variant: differences smaller than the spread across seeds cannot be told from noise (train with repeats to see it).';
}

export function reportMarkdown(report: SeriesReport, chartFile: (metric: CurveMetric) => string): string {
  const row = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  const lines = [
    `# ${report.title}`,
    '',
    ...(report.subtitle ? [report.subtitle, ''] : []),
    row(REPORT_HEADERS),
    row(REPORT_HEADERS.map(() => '---')),
    ...reportGroupCells(report).map(row),
    '',
    `★ best variant (${report.bestBy}). ${spreadNote(report)}`,
    '',
    ...reportCharts(report).flatMap(({ metric }) => [`![${CHART_TITLES[metric]}](${chartFile(metric)})`, '']),
    '## Runs',
    '',
    row(RUN_HEADERS),
    row(RUN_HEADERS.map(() => '---')),
    ...runCells(report).map(row),
    '',
  ];
  return lines.join('\n');
}

export function reportHtml(report: SeriesReport): string {
  const table = (headers: string[], rows: string[][], bestRow?: (i: number) => boolean) =>
    `<table><thead><tr>${headers.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr></thead><tbody>${rows
      .map((cells, i) => `<tr${bestRow?.(i) ? ' class="best"' : ''}>${cells.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`)
      .join('')}</tbody></table>`;
  const charts = reportCharts(report)
    .map(({ metric, svg }) => `<figure data-metric="${metric}">${svg}</figure>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(report.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,-apple-system,'Segoe UI','DejaVu Sans',sans-serif;margin:24px;color:#1d2330;background:#fff}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:13px}
th,td{border:1px solid #dcdfe5;padding:4px 8px;text-align:left}th{background:#f4f5f7}
tr.best td{background:#e3f4e8;font-weight:600}
.charts{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}p.note{color:#5d6677;font-size:13px}
</style></head><body>
<h1>${escapeXml(report.title)}</h1>
${report.subtitle ? `<p>${escapeXml(report.subtitle)}</p>` : ''}
${table(REPORT_HEADERS, reportGroupCells(report), (i) => report.groups[i].best)}
<p class="note">★ best variant (${escapeXml(report.bestBy)}). ${escapeXml(spreadNote(report))}</p>
<div class="charts">
${charts}
</div>
<h2>Runs</h2>
${table(RUN_HEADERS, runCells(report))}
<p class="note">Written by Layerbench from the runs' own epoch records.</p>
</body></html>
`;
}
