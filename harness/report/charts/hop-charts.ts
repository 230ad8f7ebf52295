/**
 * Time between one service ending its function and the next one starting, per hop, per system
 * and worker count (the paper's figures 11-12). Drawn as boxplots from the recorded summary
 * (min, q1, median, q3, max) since the result keeps stats, not every gap; the count of gaps
 * behind each box is printed above it.
 */
import type { RunData } from '../run-data.ts';
import { systemsOf } from '../run-data.ts';
import { round, scaleFor, VEGA_LITE_SCHEMA, type Chart } from './chart.ts';

export function hopChart(run: RunData): Chart | null {
  const rows = run.profiles.flatMap((p) =>
    p.hops.map((h) => ({
      system: p.system,
      workers: String(p.workers),
      hop: `${h.from} → ${h.to}`,
      count: h.count,
      min: round(h.min),
      q1: round(h.q1),
      median: round(h.p50),
      q3: round(h.q3),
      max: round(h.max),
      mean: round(h.mean),
      p99: round(h.p99),
    })),
  );
  if (rows.length === 0) return null;
  const systems = systemsOf(run).filter((s) => rows.some((r) => r.system === s));
  const workers = [...new Set(run.profiles.map((p) => p.workers))].sort((a, b) => a - b).map(String);
  const hops = [...new Set(rows.map((r) => r.hop))];
  const scale = scaleFor(rows.flatMap((r) => [r.min ?? 0, r.max ?? 0]), 50);
  const x = { field: 'hop', type: 'nominal' as const, title: null, sort: hops, axis: { labelAngle: 0, labelLimit: 200, labelExpr: "split(datum.label, ' → ')" } };
  const xOffset = { field: 'workers', type: 'nominal' as const, sort: workers };
  const color = { field: 'workers', type: 'nominal' as const, title: 'workers', sort: workers, scale: { scheme: 'viridis' } };
  const tooltip = [
    { field: 'system' },
    { field: 'workers' },
    { field: 'hop' },
    { field: 'count', title: 'gaps' },
    { field: 'min', title: 'min (ms)' },
    { field: 'q1', title: 'q1 (ms)' },
    { field: 'median', title: 'median (ms)' },
    { field: 'q3', title: 'q3 (ms)' },
    { field: 'max', title: 'max (ms)' },
    { field: 'mean', title: 'mean (ms)' },
    { field: 'p99', title: 'p99 (ms)' },
  ];
  const y = (field: string) => ({ field, type: 'quantitative' as const, title: 'gap between services (ms)', scale });
  const caption =
    'Boxplots of the gap between a service finishing its function and the next one starting its own, as the paper measures it (network, ' +
    'the body\'s transfer, queueing and, for OpenFaaS, the gateway and orchestrator), from min to max with the box from q1 to q3 ' +
    'and the median as a tick; the number above each box is how many gaps it summarises.';
  return {
    id: 'hop-gaps',
    title: 'Time between services',
    caption,
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      description: caption,
      data: { values: rows },
      facet: { column: { field: 'system', type: 'nominal', title: null, sort: systems } },
      spec: {
        // Room for each hop's two-line label and for each worker count's box within it.
        width: Math.max(hops.length * 110, hops.length * workers.length * 26),
        height: 220,
        encoding: { x, xOffset, color, tooltip },
        layer: [
          { name: 'whiskers', mark: { type: 'rule' }, encoding: { y: y('min'), y2: { field: 'max' } } },
          { name: 'boxes', mark: { type: 'bar', width: { band: 0.8 } }, encoding: { y: y('q1'), y2: { field: 'q3' } } },
          { name: 'medians', mark: { type: 'tick', color: 'white', thickness: 2 }, encoding: { y: y('median'), color: { value: 'white' } } },
          { name: 'counts', mark: { type: 'text', angle: 270, align: 'left', baseline: 'middle', dx: 4, fontSize: 9 }, encoding: { y: y('max'), text: { field: 'count', format: ',d' }, color: { value: '#333' } } },
        ],
      },
    } as Chart['spec'],
  };
}
