/**
 * Every chart spec goes through the real vega-lite compiler and a headless vega View to SVG, and
 * the assertions are on what was drawn (mark items and their data), not on the spec's text.
 */
import { describe, expect, it } from 'vitest';
import { hopChart } from '../../harness/report/charts/hop-charts.ts';
import { resourceChart } from '../../harness/report/charts/resource-charts.ts';
import { summaryCharts } from '../../harness/report/charts/summary-charts.ts';
import { timelineChart } from '../../harness/report/charts/timeline-charts.ts';
import { trendCharts } from '../../harness/report/charts/trend-charts.ts';
import { PAPER_LABEL, PAPER_REFERENCE } from '../../harness/report/paper-reference.ts';
import { assembleRun } from '../../harness/report/run-data.ts';
import { buildRunReport } from '../../harness/report/run-report.ts';
import { summarizeRun } from '../../harness/report/run-summary.ts';
import { syntheticRun } from '../../harness/report/synthetic-run.ts';
import { ERROR_CLASSES } from '../../harness/results/schema.ts';
import { itemsOf, render } from './vega-render.ts';

const full = syntheticRun({ runId: 'charts-full', seconds: 40 });
const run = assembleRun('charts-full', full.manifest, full.profiles);

type Row = Record<string, unknown>;

describe('summary charts (throughput, mean and p99 latency, error rate vs workers)', () => {
  const charts = summaryCharts(run);

  it('draws one point per profile for this run: 8 for 4 worker counts x 2 systems', async () => {
    const throughput = charts.find((c) => c.id === 'summary-throughput')!;
    const drawn = await render(throughput.spec);
    const points = itemsOf(drawn, 'ours_points') as Row[];
    expect(points).toHaveLength(8);
    for (const p of full.profiles) {
      const point = points.find((d) => d.system === p.system && d.workers === p.workers);
      expect(point?.value).toBeCloseTo(p.throughput, 2);
    }
    expect(drawn.svg).toContain('<svg');
  });

  it("draws the paper's reference beside ours, as its own series", async () => {
    for (const id of ['summary-throughput', 'summary-latency-mean', 'summary-error-rate']) {
      const drawn = await render(charts.find((c) => c.id === id)!.spec);
      const paper = itemsOf(drawn, 'paper_points') as Row[];
      expect(paper).toHaveLength(PAPER_REFERENCE.length);
      expect(paper.every((d) => String(d.source).includes('paper'))).toBe(true);
    }
    const meanLatency = await render(charts.find((c) => c.id === 'summary-latency-mean')!.spec);
    const paperP2p1 = (itemsOf(meanLatency, 'paper_points') as Row[]).find((d) => d.system === 'p2p' && d.workers === 1);
    expect(paperP2p1?.value).toBe(490); // 0.49 s in the paper
    // p99 has no paper figure: no paper series at all.
    const p99 = await render(charts.find((c) => c.id === 'summary-latency-p99')!.spec);
    expect(itemsOf(p99, 'paper_points')).toHaveLength(0);
  });

  it('works for any worker set and a system the paper does not have', async () => {
    const odd = syntheticRun({ runId: 'odd', seconds: 5, systems: ['custom'], workers: [2, 3, 7] });
    const oddRun = assembleRun('odd', odd.manifest, odd.profiles);
    const drawn = await render(summaryCharts(oddRun)[0]!.spec);
    expect((itemsOf(drawn, 'ours_points') as Row[]).map((d) => d.workers).sort()).toEqual([2, 3, 7]);
    expect(itemsOf(drawn, 'paper_points')).toHaveLength(0);
  });

  it('draws a 95 % error bar per profile when the bench repeated it, around the mean of its runs', async () => {
    const repeated = [1, 2, 3].flatMap((repetition) =>
      syntheticRun({ runId: 'charts-repeat', seconds: 10 }).profiles.map((p) => ({ ...p, repetition, throughput: p.throughput * (0.9 + repetition * 0.05) })),
    );
    const repeatedRun = assembleRun('charts-repeat', full.manifest, repeated);
    const drawn = await render(summaryCharts(repeatedRun).find((c) => c.id === 'summary-throughput')!.spec);
    const points = itemsOf(drawn, 'ours_points') as Row[];
    const bars = itemsOf(drawn, 'ours_error_bars') as Row[];
    expect(points).toHaveLength(8); // one mean per profile, not one dot per run
    expect(bars).toHaveLength(8);
    for (const bar of bars) {
      expect(bar.runs).toBe(3);
      expect(bar.lo as number).toBeLessThan(bar.value as number);
      expect(bar.hi as number).toBeGreaterThan(bar.value as number);
    }
    const withoutRepeats = await render(summaryCharts(run).find((c) => c.id === 'summary-throughput')!.spec);
    expect(itemsOf(withoutRepeats, 'ours_error_bars')).toHaveLength(0);
  });

  it('draws nothing for a run without profiles', () => {
    expect(summaryCharts(assembleRun('empty', full.manifest, []))).toEqual([]);
  });
});

describe('timeline chart (per profile, per second, with cluster events)', () => {
  const profile = full.profiles.find((p) => p.system === 'openfaas' && p.workers === 50)!;

  it('draws every second, every error of every class, and each event', async () => {
    const drawn = await render(timelineChart(profile).spec);
    // completed and ok, one line point per second each
    expect(itemsOf(drawn, 'responses_lines_marks')).toHaveLength(profile.timeline.length * 2);
    const bars = itemsOf(drawn, 'error_bars') as Row[];
    const totalErrors = ERROR_CLASSES.reduce((sum, c) => sum + profile.errors[c], 0);
    expect(totalErrors).toBeGreaterThan(0);
    expect(bars.reduce((sum, b) => sum + Number(b.sum_count), 0)).toBe(totalErrors);
    expect(new Set(bars.map((b) => b.class))).toEqual(new Set(ERROR_CLASSES.filter((c) => profile.errors[c] > 0)));
    // the events (OOM kill, restart, ready) are drawn as rules on each of the three panels
    expect(profile.events.length).toBe(3);
    expect(itemsOf(drawn, 'events')).toHaveLength(3 * 3);
    expect((itemsOf(drawn, 'events') as Row[]).map((e) => e.kind)).toContain('restart');
    const latency = itemsOf(drawn, 'latency_lines_marks') as Row[];
    expect(latency.length).toBe(profile.timeline.filter((b) => b.p50 !== null).length * 2);
    expect(drawn.warnings).toEqual([]);
  });

  it('draws a profile with no errors and no events without warnings', async () => {
    const calm = { ...full.profiles[0]!, events: [], timeline: full.profiles[0]!.timeline.map((b) => ({ ...b, errors: {} })) };
    const drawn = await render(timelineChart(calm).spec);
    expect(itemsOf(drawn, 'error_bars')).toHaveLength(0);
    expect(itemsOf(drawn, 'events')).toHaveLength(0);
    expect(drawn.warnings).toEqual([]);
  });
});

describe('time between services (boxplots per hop, system and workers)', () => {
  it('draws one box, whisker, median and count per hop per profile', async () => {
    const chart = hopChart(run)!;
    const drawn = await render(chart.spec);
    const expected = full.profiles.reduce((n, p) => n + p.hops.length, 0);
    expect(expected).toBe(8 * 3);
    for (const mark of ['whiskers', 'boxes', 'medians', 'counts']) expect(itemsOf(drawn, `${mark}_marks`)).toHaveLength(expected);
    const box = (itemsOf(drawn, 'boxes') as Row[]).find((b) => b.system === 'p2p' && b.workers === '10' && b.hop === 'get → filter-temperature');
    const hop = full.profiles.find((p) => p.system === 'p2p' && p.workers === 10)!.hops[0]!;
    expect(box?.count).toBe(hop.count);
    expect(box?.q1).toBeCloseTo(hop.q1, 3);
  });

  it('is left out when no profile has hop data', () => {
    expect(hopChart(assembleRun('x', full.manifest, full.profiles.map((p) => ({ ...p, hops: [] }))))).toBeNull();
  });
});

describe('node resources', () => {
  it('draws CPU and memory for every node and second', async () => {
    const profile = full.profiles[0]!;
    const drawn = await render(resourceChart(profile).spec);
    const nodes = full.manifest.target.nodes.length;
    expect(itemsOf(drawn, 'cpu_marks')).toHaveLength(profile.timeline.length * nodes);
    expect(itemsOf(drawn, 'memory_marks')).toHaveLength(profile.timeline.length * nodes);
  });
});

describe('trends across runs', () => {
  it('draws one point per run and profile', async () => {
    const older = syntheticRun({ runId: 'older', seconds: 5, createdAt: '2026-01-01T00:00:00.000Z' });
    const newer = syntheticRun({ runId: 'newer', seconds: 5, createdAt: '2026-01-02T00:00:00.000Z', seed: 2 });
    const summaries = [older, newer].map((r) => summarizeRun(assembleRun(r.manifest.runId, r.manifest, r.profiles), 'x'));
    const charts = trendCharts(summaries);
    expect(charts.map((c) => c.id)).toEqual(['trend-throughput', 'trend-latency-mean', 'trend-error-rate']);
    for (const chart of charts) {
      const drawn = await render(chart.spec);
      const points = [...drawn.items.entries()].filter(([name]) => name.includes('marks')).flatMap(([, items]) => items) as Row[];
      // line marks hold one item per point too; count distinct (run, system, workers)
      expect(new Set(points.map((p) => `${p.run}/${p.system}/${p.workers}`)).size).toBe(16);
    }
  });
});

describe('every chart of a full report', () => {
  it('compiles and renders to a non-empty SVG without warnings', async () => {
    const { charts } = buildRunReport(run);
    // 4 summary + 8 timelines + 1 hop + 8 resources
    expect(charts).toHaveLength(21);
    expect(new Set(charts.map((c) => c.id)).size).toBe(charts.length);
    for (const chart of charts) {
      const drawn = await render(chart.spec);
      expect(drawn.svg.length, chart.id).toBeGreaterThan(1000);
      expect(drawn.warnings, chart.id).toEqual([]);
    }
  });
});

/** Every line the view drew: the stroke and the data of its points. */
function lines(rendered: Awaited<ReturnType<typeof render>>): { stroke: string; data: Row[] }[] {
  const found: { stroke: string; data: Row[] }[] = [];
  const walk = (node: { marktype?: string; items?: unknown[] }) => {
    if (node.marktype === 'line') {
      for (const item of (node.items ?? []) as { stroke?: string; datum?: Row }[]) found.push({ stroke: String(item.stroke), data: item.datum ? [item.datum] : [] });
    }
    for (const child of (node.items ?? []) as { marktype?: string; items?: unknown[] }[]) walk(child);
  };
  walk((rendered.view.scenegraph() as unknown as { root: { items?: unknown[] } }).root);
  return found;
}

describe('polish (issue 13)', () => {
  it("lists the paper in a chart's legend only where the chart draws the paper", async () => {
    const charts = summaryCharts(run);
    const p99 = await render(charts.find((c) => c.id === 'summary-latency-p99')!.spec);
    expect(p99.svg).not.toContain(PAPER_LABEL);
    const throughput = await render(charts.find((c) => c.id === 'summary-throughput')!.spec);
    expect(throughput.svg).toContain(PAPER_LABEL);
  });

  it('gives every node its own colour, in both panels, however many nodes there are', async () => {
    const many = syntheticRun({ runId: 'many', seconds: 3, workers: [1], systems: ['p2p'], workerNodes: 12 });
    const profile = many.profiles[0]!;
    const drawn = await render(resourceChart(profile).spec);
    const byNode = new Map<string, Set<string>>();
    for (const line of lines(drawn)) for (const d of line.data) byNode.set(String(d.node), new Set([...(byNode.get(String(d.node)) ?? []), line.stroke]));
    expect(byNode.size).toBe(many.manifest.target.nodes.length);
    // One colour per node (the same in the CPU and the memory panel), and no colour shared.
    for (const [node, strokes] of byNode) expect(strokes.size, node).toBe(1);
    const colours = [...byNode.values()].map((s) => [...s][0]);
    expect(new Set(colours).size).toBe(byNode.size);
  });

  it('never joins runs of different targets in one trend line', async () => {
    const fog = syntheticRun({ runId: 'fog-night', seconds: 3, workers: [10], systems: ['p2p'], createdAt: '2026-01-01T00:00:00.000Z' });
    const loop = syntheticRun({ runId: 'loop-night', seconds: 3, workers: [10], systems: ['p2p'], createdAt: '2026-01-02T00:00:00.000Z', seed: 5 });
    const fog2 = syntheticRun({ runId: 'fog-night-2', seconds: 3, workers: [10], systems: ['p2p'], createdAt: '2026-01-03T00:00:00.000Z', seed: 6 });
    const summaries = [fog, loop, fog2].map((r) => summarizeRun(assembleRun(r.manifest.runId, r.manifest, r.profiles), 'x'));
    summaries[1]!.target = 'loopback';
    summaries[0]!.target = summaries[2]!.target = 'fog';
    const drawn = await render(trendCharts(summaries)[0]!.spec);
    const segments = new Map<string, Set<string>>();
    // Items of one line mark group share a stroke and dash; group them by their series.
    const walk = (node: { marktype?: string; items?: unknown[] }) => {
      if (node.marktype === 'line') {
        const targets = new Set(((node.items ?? []) as { datum?: Row }[]).map((i) => String(i.datum?.target)));
        segments.set(`${segments.size}`, targets);
      }
      for (const child of (node.items ?? []) as { marktype?: string; items?: unknown[] }[]) walk(child);
    };
    walk((drawn.view.scenegraph() as unknown as { root: { items?: unknown[] } }).root);
    expect(segments.size).toBeGreaterThanOrEqual(2);
    for (const targets of segments.values()) expect(targets.size).toBe(1);
  });
});
