/**
 * The sweep report from a synthetic sweep whose latency and CPU follow known cost terms: the fitted
 * terms come back, and every chart goes through the real vega-lite compiler and a vega View.
 */
import { describe, expect, it } from 'vitest';
import type { SweepManifest } from '../../harness/bench/sweep-records.ts';
import { MIB } from '../../harness/metrics/cost-model.ts';
import { syntheticRun } from '../../harness/report/synthetic-run.ts';
import { buildSweepReport, type SweepInputData } from '../../harness/report/sweep-report.ts';
import type { SweepPointData } from '../../harness/report/sweep-read.ts';
import type { ProfileResult } from '../../harness/results/schema.ts';
import { itemsOf, render } from './vega-render.ts';

const SYSTEMS = ['p2p', 'openfaas', 'openfaas-chain'];
/** Latency terms per system (ms, ms/hop, ms/MB, ms/MB/hop): openfaas pays more per hop. */
const TERMS: Record<string, [number, number, number, number]> = {
  p2p: [2, 1.5, 20, 90],
  openfaas: [6, 9, 40, 360],
  'openfaas-chain': [5, 5, 30, 200],
};
const model = (system: string, length: number, clientBytes: number, hopBytes: number) => {
  const [a, b, c, d] = TERMS[system]!;
  return a + b * length + (c * clientBytes) / MIB + (d * hopBytes) / MIB;
};

function point(id: string, length: number, payloadBytes: number | null, clientBytes: number, hopBytes: number): SweepPointData {
  const { manifest, profiles } = syntheticRun({ runId: id, systems: SYSTEMS, workers: [1, 10], seconds: 5 });
  const shaped = profiles.map((p): ProfileResult => {
    const latency = model(p.system, length, clientBytes, hopBytes) * (p.workers === 10 ? 8 : 1);
    return {
      ...p,
      latencyOk: { ...p.latencyOk, mean: latency },
      throughput: (p.workers * 1000) / latency,
      cost: { ...p.cost, cpuSecondsPerOk: latency / 3000 },
    };
  });
  return {
    id,
    params: {},
    record: {} as SweepPointData['record'],
    run: { runId: id, manifest, profiles: shaped, missing: [], problems: [] },
    href: `points/${id}/index.html`,
    length,
    payloadBytes,
    clientBytes,
    hopBytes,
    profiles: shaped,
  };
}

const LENGTHS = [1, 2, 4, 8];
const PAYLOADS = [1024, 65536, MIB];
const points = LENGTHS.flatMap((l) => PAYLOADS.map((p) => point(`length-${l}_payload-${p}`, l, p, p, l * p)));
const manifest = {
  kind: 'fogbench.sweep',
  sweepId: 'synthetic-sweep',
  options: { systems: SYSTEMS, workers: [1, 10], durationMs: 3000, warmupMs: 1000, target: 'fog' },
  optionsHash: 'x',
  axes: [{ name: 'length', values: ['1', '2', '4', '8'] }, { name: 'payload', values: ['1KB', '64KB', '1MB'] }],
  base: 'chain:length=4,payload=1KB,work=1',
  points: points.map((p) => ({ id: p.id, scenario: '', params: {} })),
  predict: { id: 'predict-temperature', scenario: 'scenarios/temperature.ts' },
} as unknown as SweepManifest;
const data: SweepInputData = { manifest, points, predict: point('predict-temperature', 4, null, 24_000, 100_000) };

type Row = Record<string, unknown>;

describe('sweep report', () => {
  const content = buildSweepReport(data);

  it('fits the known terms for every system and worker count', () => {
    const p2p = content.fits.find((f) => f.system === 'p2p' && f.workers === 1 && f.metric === 'latency')!.fit!;
    expect(p2p.terms.filter((t) => t.name !== 'perShapedByte').map((t) => t.estimate)).toEqual(TERMS.p2p!.map((v) => expect.closeTo(v, 6)));
    // No link is shaped in these runs: no bytes past a burst, no term for them.
    expect(p2p.omitted.map((o) => o.name)).toEqual(['perShapedByte']);
    const openfaas10 = content.fits.find((f) => f.system === 'openfaas' && f.workers === 10 && f.metric === 'latency')!.fit!;
    expect(openfaas10.terms.find((t) => t.name === 'perHop')!.estimate).toBeCloseTo(72, 6);
    expect(content.fits).toHaveLength(SYSTEMS.length * 2 * 2);
  });

  it('predicts the --predict scenario and tables it against its measurement', () => {
    const rows = content.tables.find((t) => t.id === 'sweep-prediction')!.rows;
    expect(rows).toHaveLength(SYSTEMS.length * 2 * 2);
    for (const p of content.predictions) expect(Math.abs(p.error)).toBeLessThan(1e-6);
  });

  it('draws the terms with their intervals, one estimate per system, term and worker count', async () => {
    const chart = content.charts.find((c) => c.id === 'sweep-terms-latency')!;
    const drawn = await render(chart.spec);
    expect(itemsOf(drawn, 'term_estimates')).toHaveLength(SYSTEMS.length * 4 * 2);
    expect(drawn.svg).toContain('<svg');
  });

  it('draws observed points over the fitted lines', async () => {
    const drawn = await render(content.charts.find((c) => c.id === 'sweep-fit-latency')!.spec);
    expect(itemsOf(drawn, 'observed_points')).toHaveLength(12 * SYSTEMS.length * 2);
    expect((itemsOf(drawn, 'fitted_lines') as Row[]).length).toBeGreaterThan(0);
  });

  it('draws a heatmap cell per length × payload × worker count for each system over p2p', async () => {
    const drawn = await render(content.charts.find((c) => c.id === 'sweep-throughput-ratio')!.spec);
    const cells = itemsOf(drawn, 'ratio_cells') as Row[];
    expect(cells).toHaveLength(12 * 2 * 2);
    const cell = cells.find((c) => c.comparison === 'openfaas / p2p' && c.length === 8 && c.payload === '1MB' && c.workers === '1 worker')!;
    expect(cell.ratio).toBeCloseTo(model('p2p', 8, MIB, 8 * MIB) / model('openfaas', 8, MIB, 8 * MIB), 2);
  });
});
