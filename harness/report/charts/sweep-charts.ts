/**
 * The charts of a sweep's report (pure): the fitted cost terms per system with their intervals,
 * observed points against the fitted model over chain length for each payload, and heatmaps of a
 * system's throughput over p2p's across length × payload.
 */
import { formatSize } from '../../dataflow/synthetic-chain.ts';
import { chainObservation, COST_TERMS, predictCost, type CostTermName } from '../../metrics/cost-model.ts';
import { METRIC_LABEL, METRIC_UNIT, type RatioCell, type SweepFit, type SweepMetric, type SweepRow } from '../../metrics/sweep-analysis.ts';
import { round, systemColor, VEGA_LITE_SCHEMA, type Chart } from './chart.ts';

export const TERM_LABEL: Record<CostTermName, string> = {
  fixed: 'fixed (per request)',
  perHop: 'per hop',
  perByte: 'per MB (client request and response)',
  perBytePerHop: 'per MB per hop',
  perShapedByte: 'per MB beyond a link\'s burst',
};

export function termUnit(metric: SweepMetric, term: CostTermName): string {
  const unit = METRIC_UNIT[metric];
  return { fixed: unit, perHop: `${unit}/hop`, perByte: `${unit}/MB`, perBytePerHop: `${unit}/MB/hop`, perShapedByte: `${unit}/MB` }[term];
}

/** Fitted terms with their 95 % intervals: one panel per term (its own axis) and worker count. */
export function termsChart(fits: readonly SweepFit[], metric: SweepMetric, systems: string[]): Chart | null {
  const rows = fits
    .filter((f) => f.metric === metric && f.fit)
    .flatMap((f) =>
      f.fit!.terms
        .filter((t) => !f.fit!.omitted.some((o) => o.name === t.name))
        .map((t) => ({
          system: f.system,
          workers: `${f.workers} worker${f.workers === 1 ? '' : 's'}`,
          term: `${TERM_LABEL[t.name]} (${termUnit(metric, t.name)})`,
          order: COST_TERMS.indexOf(t.name),
          estimate: round(t.estimate, 5),
          lo: round(t.lo, 5),
          hi: round(t.hi, 5),
        })),
    );
  if (rows.length === 0) return null;
  const tooltip = [
    { field: 'system' },
    { field: 'workers' },
    { field: 'term' },
    { field: 'estimate', format: ',.4g' },
    { field: 'lo', title: '95% low', format: ',.4g' },
    { field: 'hi', title: '95% high', format: ',.4g' },
  ];
  const terms = [...new Set([...rows].sort((a, b) => a.order - b.order).map((r) => r.term))];
  const caption =
    `The ${METRIC_LABEL[metric]} of each system fitted as fixed + per hop + per MB + per MB per hop + per MB beyond a link's burst (weighted least squares, weights 1/ŷ²); ` +
    'dots are the estimates, bars their 95 % Student-t intervals. Each term has its own axis.';
  return {
    id: `sweep-terms-${metric}`,
    title: `Fitted cost terms: ${METRIC_LABEL[metric]}`,
    caption,
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      description: caption,
      data: { values: rows },
      facet: {
        row: { field: 'term', type: 'nominal', sort: terms, title: null, header: { labelAngle: 0, labelAlign: 'left', labelLimit: 260 } },
        column: { field: 'workers', type: 'nominal', title: null },
      },
      spec: {
        width: 260,
        height: 18 * Math.max(2, systems.length),
        layer: [
          {
            name: 'term_intervals',
            transform: [{ filter: 'isValid(datum.lo)' }],
            mark: { type: 'rule', strokeWidth: 2 },
            encoding: { x: { field: 'lo', type: 'quantitative', title: null }, x2: { field: 'hi' }, y: { field: 'system', type: 'nominal', sort: systems, title: null }, color: systemColor(systems), tooltip },
          },
          {
            name: 'term_estimates',
            mark: { type: 'point', filled: true, size: 70, opacity: 1 },
            encoding: { x: { field: 'estimate', type: 'quantitative', title: null }, y: { field: 'system', type: 'nominal', sort: systems, title: null }, color: systemColor(systems), tooltip },
          },
        ],
      },
      resolve: { scale: { x: 'independent' } },
    } as Chart['spec'],
  };
}

/** Observed figures per point (dots) and the fitted model (lines) against chain length, one panel per payload and worker count. */
export function fitChart(rows: readonly SweepRow[], fits: readonly SweepFit[], metric: SweepMetric, systems: string[]): Chart | null {
  const chain = rows.filter((r) => r.payloadBytes !== null && r[metric] !== null && r[metric]! > 0);
  if (chain.length === 0) return null;
  const payloads = [...new Set(chain.map((r) => r.payloadBytes!))].sort((a, b) => a - b);
  const lengths = [...new Set(chain.map((r) => r.length))].sort((a, b) => a - b);
  const workers = (w: number) => `${w} worker${w === 1 ? '' : 's'}`;
  const observed = chain.map((r) => ({
    kind: 'observed',
    system: r.system,
    workers: workers(r.workers),
    length: r.length,
    payload: formatSize(r.payloadBytes!),
    value: round(r[metric], 5),
    used: r.excluded === null ? 'yes' : `no: ${r.excluded}`,
  }));
  const fitted = fits
    .filter((f) => f.metric === metric && f.fit)
    .flatMap((f) =>
      payloads.flatMap((payload) => {
        const span = Array.from({ length: lengths[lengths.length - 1]! - lengths[0]! + 1 }, (_, i) => lengths[0]! + i);
        return span.map((length) => ({
          kind: 'fitted',
          system: f.system,
          workers: workers(f.workers),
          length,
          payload: formatSize(payload),
          value: round(predictCost(f.fit!, chainObservation(length, payload, 0, f.bucketBytes)).estimate, 5),
        }));
      }),
    )
    .filter((r) => r.value !== null && r.value > 0);
  const caption =
    `Dots: the ${METRIC_LABEL[metric]} measured at each sweep point (hollow: left out of the fit, see the points table); dashed lines: the fitted model at each length. ` +
    'Log scales; one panel per payload (columns) and worker count (rows).';
  const x = { field: 'length', type: 'quantitative' as const, title: 'chain length (steps)', scale: { type: 'log' as const, base: 2 }, axis: { values: lengths, format: 'd' } };
  const y = { field: 'value', type: 'quantitative' as const, title: `${METRIC_LABEL[metric]} (${METRIC_UNIT[metric]})`, scale: { type: 'log' as const } };
  return {
    id: `sweep-fit-${metric}`,
    title: `Observed and fitted: ${METRIC_LABEL[metric]}`,
    caption,
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      description: caption,
      data: { values: [...observed, ...fitted] },
      facet: {
        column: { field: 'payload', type: 'ordinal', sort: payloads.map(formatSize), title: 'payload' },
        row: { field: 'workers', type: 'ordinal', title: null },
      },
      spec: {
        width: 200,
        height: 160,
        layer: [
          {
            name: 'fitted_lines',
            transform: [{ filter: { field: 'kind', equal: 'fitted' } }],
            mark: { type: 'line', strokeDash: [4, 2] },
            encoding: { x, y, color: systemColor(systems), tooltip: [{ field: 'system' }, { field: 'length' }, { field: 'payload' }, { field: 'value', title: 'fitted', format: ',.4g' }] },
          },
          // Points in the fit filled, points left out of it hollow: two layers, each addressable.
          ...[
            { name: 'observed_points', test: "datum.kind == 'observed' && datum.used == 'yes'", filled: true },
            { name: 'excluded_points', test: "datum.kind == 'observed' && datum.used != 'yes'", filled: false },
          ].map((layer) => ({
            name: layer.name,
            transform: [{ filter: layer.test }],
            mark: { type: 'point', size: 60, opacity: 1, filled: layer.filled },
            encoding: {
              x,
              y,
              color: systemColor(systems),
              tooltip: [{ field: 'system' }, { field: 'workers' }, { field: 'length' }, { field: 'payload' }, { field: 'value', title: 'measured', format: ',.4g' }, { field: 'used', title: 'in the fit' }],
            },
          })),
        ],
      },
      resolve: { scale: { y: 'shared' } },
    } as Chart['spec'],
  };
}

/** Heatmap of throughput ratios over length × payload: one row per comparison, one column per worker count. */
export function ratioChart(comparisons: { label: string; cells: RatioCell[] }[]): Chart | null {
  const rows = comparisons.flatMap((c) =>
    c.cells.map((cell) => ({
      comparison: c.label,
      workers: `${cell.workers} worker${cell.workers === 1 ? '' : 's'}`,
      length: cell.length,
      payload: formatSize(cell.payloadBytes),
      bytes: cell.payloadBytes,
      ratio: round(cell.ratio, 3),
      numerator: round(cell.numerator, 4),
      denominator: round(cell.denominator, 4),
      label: cell.ratio === null ? 'n/a' : cell.ratio.toFixed(2),
    })),
  );
  if (rows.length === 0) return null;
  const payloads = [...new Set([...rows].sort((a, b) => a.bytes - b.bytes).map((r) => r.payload))];
  const lengths = [...new Set(rows.map((r) => r.length))].sort((a, b) => a - b);
  const caption =
    'Throughput (responses per second) of each system over p2p\'s at each chain length and payload; 1 means equal, below 1 slower than p2p. ' +
    'Cells marked n/a had no response in one of the two windows.';
  const encoding = {
    x: { field: 'length', type: 'ordinal' as const, sort: lengths, title: 'chain length (steps)', axis: { labelAngle: 0 } },
    y: { field: 'payload', type: 'ordinal' as const, sort: [...payloads].reverse(), title: 'payload' },
  };
  const tooltip = [{ field: 'comparison' }, { field: 'workers' }, { field: 'length' }, { field: 'payload' }, { field: 'ratio', format: '.3f' }, { field: 'numerator', title: 'system req/s', format: ',.2f' }, { field: 'denominator', title: 'p2p req/s', format: ',.2f' }];
  return {
    id: 'sweep-throughput-ratio',
    title: 'Throughput over p2p\'s, by chain length and payload',
    caption,
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      description: caption,
      data: { values: rows },
      facet: { row: { field: 'comparison', type: 'nominal', title: null }, column: { field: 'workers', type: 'ordinal', title: null } },
      spec: {
        width: 44 * Math.max(2, lengths.length),
        height: 36 * Math.max(2, payloads.length),
        layer: [
          {
            name: 'ratio_cells',
            mark: { type: 'rect', stroke: 'white' },
            encoding: {
              ...encoding,
              color: { field: 'ratio', type: 'quantitative', title: 'ratio', scale: { type: 'log', scheme: 'redblue', domainMid: 1 } },
              tooltip,
            },
          },
          {
            name: 'ratio_labels',
            mark: { type: 'text', fontSize: 11 },
            // Light text on the darkest cells.
            encoding: { ...encoding, text: { field: 'label' }, color: { condition: { test: 'isValid(datum.ratio) && (datum.ratio < 0.25 || datum.ratio > 4)', value: 'white' }, value: 'black' }, tooltip },
          },
        ],
      },
    } as Chart['spec'],
  };
}
