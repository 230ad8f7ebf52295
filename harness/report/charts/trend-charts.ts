/**
 * Trends across runs (nightly runs in particular): one chart per figure, one panel per worker
 * count, one line per target and system (colour: system; dash: target), runs in time order.
 * Drawn on the index page. Figures from different targets never share a line: fog and loopback
 * differ by several times, and a line between them would read as a regression.
 */
import type { RunSummary } from '../run-summary.ts';
import { round, scaleFor, systemColor, VEGA_LITE_SCHEMA, type Chart } from './chart.ts';

/** Dash patterns for the targets: solid first, then ever sparser dashes. */
const DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [1, 3], [12, 4]].concat(Array.from({ length: 26 }, (_, i) => [3 + i, 3]));

const FIGURES = [
  { id: 'throughput', title: 'Throughput', axis: 'responses per second', format: ',.2f', pick: (p: RunSummary['profiles'][number]) => p.throughput },
  { id: 'latency-mean', title: 'Mean latency', axis: 'mean latency (ms)', format: ',.2f', pick: (p: RunSummary['profiles'][number]) => p.meanMs },
  { id: 'error-rate', title: 'Error rate', axis: 'failed requests', format: '.2%', pick: (p: RunSummary['profiles'][number]) => p.errorRate },
];

export function trendCharts(runs: RunSummary[]): Chart[] {
  const dated = runs.filter((r) => r.createdAt !== null && r.profiles.length > 0);
  if (dated.length === 0) return [];
  const systems = [...new Set(dated.flatMap((r) => r.profiles.map((p) => p.system)))];
  const workers = [...new Set(dated.flatMap((r) => r.profiles.map((p) => p.workers)))].sort((a, b) => a - b);
  const targets = [...new Set(dated.map((r) => r.target))].sort();
  return FIGURES.map((figure) => {
    const rows = dated.flatMap((r) =>
      r.profiles.map((p) => ({ run: r.runId, created: r.createdAt, target: r.target, system: p.system, series: `${p.system} on ${r.target}`, workers: p.workers, value: round(figure.pick(p), 5) })),
    );
    const scale = figure.id === 'error-rate' ? { type: 'linear' as const, zero: true } : scaleFor(rows.map((r) => r.value ?? 0), 50);
    const caption = `${figure.title} of each profile across runs, oldest to newest, one panel per worker count; one line per system (colour) and target (dash).`;
    return {
      id: `trend-${figure.id}`,
      title: `${figure.title} across runs`,
      caption,
      spec: {
        $schema: VEGA_LITE_SCHEMA,
        description: caption,
        data: { values: rows },
        facet: { column: { field: 'workers', type: 'ordinal', title: 'workers', sort: workers } },
        spec: {
          width: 180,
          height: 140,
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'created', type: 'temporal', title: 'run date' },
            y: { field: 'value', type: 'quantitative', title: figure.axis, scale, axis: figure.id === 'error-rate' ? { format: figure.format } : {} },
            color: systemColor(systems),
            strokeDash: { field: 'target', type: 'nominal', title: 'target', scale: { domain: targets, range: DASHES.slice(0, targets.length) } },
            // One line per target and system: without this a line joined fog and loopback runs.
            detail: { field: 'series', type: 'nominal' },
            tooltip: [{ field: 'run' }, { field: 'created', type: 'temporal', format: '%Y-%m-%d %H:%M' }, { field: 'target' }, { field: 'system' }, { field: 'workers' }, { field: 'value', title: figure.title, format: figure.format }],
          },
        },
      } as Chart['spec'],
    };
  });
}
