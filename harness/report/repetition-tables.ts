/**
 * Tables of repeated runs (--repeat): per profile, the mean with its 95 % Student-t interval
 * and the median with its order-statistic interval; and, with both systems, their ratios.
 * Empty (no table) when no profile was repeated.
 */
import { compareSystems, groupProfiles, type AggregatedMetric } from '../metrics/aggregate.ts';
import type { RunData } from './run-data.ts';
import { col, type Table } from './table.ts';

const SHOWN: { metric: AggregatedMetric; key: string; label: string; format: 'number' | 'ms' | 'percent' }[] = [
  { metric: 'throughput', key: 'throughput_rps', label: 'req/s', format: 'number' },
  { metric: 'latency.mean', key: 'mean_ms', label: 'mean ms', format: 'ms' },
  { metric: 'latency.p99', key: 'p99_ms', label: 'p99 ms', format: 'ms' },
  { metric: 'errorRate', key: 'error_rate', label: 'error rate', format: 'percent' },
];

export function repetitionTables(run: RunData): Table[] {
  const groups = groupProfiles(run.profiles);
  if (!groups.some((g) => g.runs.length > 1)) return [];
  const tables: Table[] = [
    {
      id: 'repetitions',
      title: 'Repeated runs: means and medians with 95 % intervals',
      caption: 'Mean: Student-t interval. Median: order-statistic interval (Le Boudec), which needs 6 or more runs.',
      columns: [
        col('system'),
        col('workers', 'workers', 'int'),
        col('runs', 'runs', 'int'),
        ...SHOWN.flatMap((s) => [
          col(`${s.key}_mean`, `${s.label} mean`, s.format),
          col(`${s.key}_mean_ci_low`, 'CI low', s.format),
          col(`${s.key}_mean_ci_high`, 'CI high', s.format),
        ]),
        col('throughput_rps_median', 'req/s median', 'number'),
        col('throughput_rps_median_ci_low', 'CI low', 'number'),
        col('throughput_rps_median_ci_high', 'CI high', 'number'),
      ],
      rows: groups.map((g) => [
        g.system,
        g.workers,
        g.runs.length,
        ...SHOWN.flatMap((s) => {
          const st = g.stats[s.metric];
          // No mean when no run had the figure (an error rate where every run sent nothing).
          return [Number.isFinite(st.mean) ? st.mean : null, st.ciMean?.lo ?? null, st.ciMean?.hi ?? null];
        }),
        g.stats.throughput.median,
        g.stats.throughput.ciMedian?.lo ?? null,
        g.stats.throughput.ciMedian?.hi ?? null,
      ]),
    },
  ];
  const ratios = compareSystems(groups, 'p2p', 'openfaas', ['throughput', 'latency.p50', 'latency.p99']);
  if (ratios.length) {
    tables.push({
      id: 'system-ratios',
      title: 'p2p / openfaas: ratio of means with 95 % intervals',
      caption: 'Delta-method interval of the ratio of two independent means.',
      columns: [col('workers', 'workers', 'int'), col('metric'), col('ratio', 'ratio', 'number'), col('ci_low', 'CI low', 'number'), col('ci_high', 'CI high', 'number')],
      rows: ratios.map((r) => [r.workers, r.metric, r.ratio, r.ci?.lo ?? null, r.ci?.hi ?? null]),
    });
  }
  return tables;
}
