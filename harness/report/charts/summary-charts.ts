/**
 * Figures per profile against the number of workers, both systems side by side (the paper's
 * tables II-IV as charts): throughput, mean and p99 latency, error rate. The paper's numbers are
 * drawn in the same colours but dashed with hollow squares, and labelled as the paper's.
 */
import { PAPER_LABEL, PAPER_REFERENCE } from '../paper-reference.ts';
import type { RunData } from '../run-data.ts';
import { systemsOf } from '../run-data.ts';
import { repeatedStat } from '../../metrics/repetitions.ts';
import { errorRateOf } from '../../metrics/error-rate.ts';
import { round, scaleFor, systemColor, VEGA_LITE_SCHEMA, type Chart } from './chart.ts';

export const OURS_LABEL = 'this run';

interface Metric {
  id: string;
  title: string;
  axis: string;
  format: string;
  /** Null when the profile has no such figure (no point is drawn for it). */
  ours: (p: RunData['profiles'][number]) => number | null;
  paper: ((row: (typeof PAPER_REFERENCE)[number]) => number) | null;
  /** Error rates are fractions, shown on a linear axis from 0. */
  linear?: boolean;
}

const METRICS: Metric[] = [
  { id: 'throughput', title: 'Throughput', axis: 'responses per second', format: ',.2f', ours: (p) => p.throughput, paper: (r) => r.throughput },
  { id: 'latency-mean', title: 'Mean latency', axis: 'mean latency (ms)', format: ',.2f', ours: (p) => p.latency.mean, paper: (r) => r.meanLatencyMs },
  { id: 'latency-p99', title: 'p99 latency', axis: 'p99 latency (ms)', format: ',.2f', ours: (p) => p.latency.p99, paper: null },
  { id: 'error-rate', title: 'Error rate', axis: 'failed requests', format: '.2%', ours: errorRateOf, paper: (r) => r.errorRate, linear: true },
];

interface Row {
  system: string;
  workers: number;
  value: number | null;
  source: string;
  /** 95 % interval of the mean over repeated runs (--repeat), when there were several. */
  lo?: number;
  hi?: number;
  runs?: number;
}

/** One row per (system, workers): the mean over its runs, with its interval when repeated. */
function oursRows(run: RunData, metric: Metric): Row[] {
  const groups = new Map<string, number[]>();
  const complete = run.profiles.some((p) => !p.interrupted) ? run.profiles.filter((p) => !p.interrupted) : run.profiles;
  for (const p of complete) {
    const key = `${p.system}\u0000${p.workers}`;
    const value = metric.ours(p);
    groups.set(key, [...(groups.get(key) ?? []), ...(value === null ? [] : [value])]);
  }
  return [...groups].map(([key, values]) => {
    const [system, workers] = key.split('\u0000') as [string, string];
    const stat = repeatedStat(values);
    return {
      system,
      workers: Number(workers),
      value: round(stat.mean, 5),
      source: OURS_LABEL,
      ...(stat.ciMean ? { lo: round(stat.ciMean.lo, 5)!, hi: round(stat.ciMean.hi, 5)!, runs: stat.n } : {}),
    };
  });
}

function summaryChart(run: RunData, metric: Metric, includePaper: boolean): Chart {
  const systems = systemsOf(run);
  const ours = oursRows(run, metric);
  const paperFn = metric.paper;
  const paper: Row[] =
    includePaper && paperFn
      ? // Only the profiles this run has, so each paper point sits beside one of ours.
        PAPER_REFERENCE.filter((r) => systems.includes(r.system) && run.profiles.some((p) => p.workers === r.workers)).map((r) => ({ system: r.system, workers: r.workers, value: round(paperFn(r), 5), source: PAPER_LABEL }))
      : [];
  const rows = [...ours, ...paper];
  const values = rows.map((r) => r.value).filter((v): v is number => v !== null);
  const scale = metric.linear ? { type: 'linear' as const, zero: true } : scaleFor(values);
  const workers = [...new Set(rows.map((r) => r.workers))].sort((a, b) => a - b);
  const tooltip = [
    { field: 'source', title: 'source' },
    { field: 'system', title: 'system' },
    { field: 'workers', title: 'workers' },
    { field: 'value', title: metric.title, format: metric.format },
  ];
  const encoding = {
    x: { field: 'workers', type: 'ordinal' as const, title: 'concurrent workers', sort: workers, axis: { labelAngle: 0 } },
    // Percent axes need their format; log axes read better with vega's default short labels.
    y: { field: 'value', type: 'quantitative' as const, title: metric.axis, scale, axis: metric.linear ? { format: metric.format } : {} },
    color: systemColor(systems),
    tooltip,
  };
  // Separate named line and point layers so each is addressable (tests count `ours_points`).
  const series = (name: string, label: string, line: object, point: object): object[] => [
    { name: `${name}_line`, transform: [{ filter: { field: 'source', equal: label } }], mark: { type: 'line', ...line }, encoding },
    { name: `${name}_points`, transform: [{ filter: { field: 'source', equal: label } }], mark: { type: 'point', ...point }, encoding },
  ];
  const layer = series('ours', OURS_LABEL, {}, { filled: true, size: 70, opacity: 1 });
  // A legend for the source, so a printed page says which points are the paper's.
  // It lists the paper only when a paper series is drawn (p99 has none).
  const sources = paper.length > 0 ? [OURS_LABEL, PAPER_LABEL] : [OURS_LABEL];
  const shape = { field: 'source', type: 'nominal' as const, title: 'source', scale: { domain: sources, range: ['circle', 'square'].slice(0, sources.length) } };
  for (const l of layer) if ((l as { name: string }).name.endsWith('_points')) (l as { encoding: object }).encoding = { ...encoding, shape };
  if (paper.length > 0) {
    const paperLayers = series('paper', PAPER_LABEL, { strokeDash: [4, 3], opacity: 0.7 }, { filled: false, size: 60 });
    for (const l of paperLayers) if ((l as { name: string }).name.endsWith('_points')) (l as { encoding: object }).encoding = { ...encoding, shape };
    layer.push(...paperLayers);
  }
  if (ours.some((r) => r.lo !== undefined)) {
    // Error bars: the 95 % interval of the mean over the repeated runs of each profile.
    layer.push({
      name: 'ours_error_bars',
      transform: [{ filter: 'isValid(datum.lo)' }],
      mark: { type: 'rule', strokeWidth: 1.5 },
      encoding: {
        x: encoding.x,
        y: { field: 'lo', type: 'quantitative', scale },
        y2: { field: 'hi' },
        color: encoding.color,
        tooltip: [...tooltip, { field: 'runs', title: 'runs' }, { field: 'lo', title: '95% CI low', format: metric.format }, { field: 'hi', title: '95% CI high', format: metric.format }],
      },
    });
  }
  const caption =
    `${metric.title} of each profile of this run (solid lines, filled dots${ours.some((r) => r.lo !== undefined) ? '; bars: 95 % interval of the mean over repeated runs' : ''})` +
    (metric.id.startsWith('latency') ? ', over completed responses: timed-out requests are not in it (the profiles table gives the latency including them)' : '') +
    (paper.length > 0 ? `; dashed lines with hollow squares are the ${PAPER_LABEL} figures, on other hardware, for reference only.` : '.') +
    (scale.type === 'log' ? ' Log scale: the values span orders of magnitude.' : '');
  return {
    id: `summary-${metric.id}`,
    title: `${metric.title} vs workers`,
    caption,
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      description: caption,
      data: { values: rows },
      width: 320,
      height: 220,
      layer,
    } as Chart['spec'],
  };
}

export function summaryCharts(run: RunData, options: { includePaper?: boolean } = {}): Chart[] {
  if (run.profiles.length === 0) return [];
  return METRICS.map((m) => summaryChart(run, m, options.includePaper ?? true));
}
