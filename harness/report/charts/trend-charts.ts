/**
 * Trends across runs (nightly runs in particular): one chart per figure, one panel per worker
 * count, one line per system, runs in time order. Drawn on the index page.
 */
import type { RunSummary } from '../run-summary.ts';
import { round, scaleFor, systemColor, VEGA_LITE_SCHEMA, type Chart } from './chart.ts';

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
  return FIGURES.map((figure) => {
    const rows = dated.flatMap((r) => r.profiles.map((p) => ({ run: r.runId, created: r.createdAt, system: p.system, workers: p.workers, value: round(figure.pick(p), 5) })));
    const scale = figure.id === 'error-rate' ? { type: 'linear' as const, zero: true } : scaleFor(rows.map((r) => r.value ?? 0), 50);
    const caption = `${figure.title} of each profile across runs, oldest to newest, one panel per worker count.`;
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
            tooltip: [{ field: 'run' }, { field: 'created', type: 'temporal', format: '%Y-%m-%d %H:%M' }, { field: 'system' }, { field: 'workers' }, { field: 'value', title: figure.title, format: figure.format }],
          },
        },
      } as Chart['spec'],
    };
  });
}
