/**
 * A profile that sent no request has no error rate (0 of 0), as it has no latency: issue 24 found
 * it shown as `0.00%` errors, which reads as a faultless system. Every place that shows an error
 * rate shows it empty, and says why where there is room: the terminal summary, the report's
 * tables, their CSV, the index's run summary and comparison, the charts.
 */
import { describe, expect, it } from 'vitest';
import { renderSummaryTable } from '../../harness/cli/summary-table.ts';
import { summaryCharts } from '../../harness/report/charts/summary-charts.ts';
import { sweepRows } from '../../harness/metrics/sweep-analysis.ts';
import { toCsv } from '../../harness/report/csv.ts';
import { renderTable } from '../../harness/report/html.ts';
import { assembleRun } from '../../harness/report/run-data.ts';
import { comparisonTable, summarizeRun } from '../../harness/report/run-summary.ts';
import { runTables } from '../../harness/report/run-tables.ts';
import { syntheticRun } from '../../harness/report/synthetic-run.ts';
import type { ProfileResult } from '../../harness/results/schema.ts';

/** The profile as the bench writes it when nothing was sent in its window (buildProfileResult: errorRate 0). */
function sentNothing(p: ProfileResult): ProfileResult {
  const none = { ...p.latency, count: 0, mean: 0, stdev: 0, min: 0, max: 0, p50: 0, p90: 0, p99: 0, p999: 0 };
  return {
    ...p,
    requests: 0,
    ok: 0,
    errors: Object.fromEntries(Object.keys(p.errors).map((k) => [k, 0])) as ProfileResult['errors'],
    errorRate: 0,
    throughput: 0,
    goodput: 0,
    latency: none,
    latencyOk: none,
  };
}

/** p2p and openfaas at 1 and 10 workers; p2p at 10 workers sent nothing (in its second run when repeated). */
function runWithAnEmptyProfile(repeat: 1 | 2 = 1) {
  const make = (seed: number, repetition: number) =>
    syntheticRun({ runId: 'empty', seconds: 5, workers: [1, 10], systems: ['p2p', 'openfaas'], seed }).profiles.map((p) => ({ ...p, repetition }));
  const all = repeat === 1 ? make(1, 1) : [...make(1, 1), ...make(9, 2)];
  const profiles = all.map((p) => (p.system === 'p2p' && p.workers === 10 && p.repetition === repeat ? sentNothing(p) : p));
  const { manifest } = syntheticRun({ runId: 'empty', seconds: 5, workers: [1, 10], systems: ['p2p', 'openfaas'] });
  return { manifest: { ...manifest, profiles: profiles.map((p) => ({ system: p.system, workers: p.workers, repetition: p.repetition })) }, profiles };
}

const table = (id: string, repeat: 1 | 2 = 1) => {
  const { manifest, profiles } = runWithAnEmptyProfile(repeat);
  return runTables(assembleRun('empty', manifest, profiles)).find((t) => t.id === id)!;
};

describe('a profile with no requests has no error rate', () => {
  it('the terminal summary shows its errors as "-", not 0.00%, and says why under the table', () => {
    const { profiles } = runWithAnEmptyProfile();
    const text = renderSummaryTable(profiles);
    const row = text.split('\n').find((l) => /^p2p\s+10\s/.test(l))!;
    expect(row).not.toMatch(/0\.00%/);
    expect(row.trim().split(/\s+/).at(-2)).toBe('-');
    expect(text).toMatch(/^- p2p w10: no requests \(0 sent\): no error rate, no latency$/m);
    // The openfaas / p2p comparison at 10 workers has no p2p error rate either.
    const comparison = text.split('\n').find((l) => /^\s+10\s/.test(l) && /%/.test(l))!;
    expect(comparison.trim().split(/\s+/).slice(-3, -1)).toEqual(['-', expect.stringMatching(/^\d+\.\d\d%$/)]);
  });

  it('the report\'s profiles table and its CSV leave the error rate empty, and the caption says why', () => {
    const profiles = table('profiles');
    const at = profiles.columns.findIndex((c) => c.key === 'error_rate');
    const row = profiles.rows.find((r) => r[0] === 'p2p' && r[1] === 10)!;
    expect(row[at]).toBeNull();
    expect(profiles.caption).toMatch(/no requests \(0 sent\): no error rate/i);
    const csvRow = toCsv(profiles).split('\r\n').find((l) => l.startsWith('p2p,10,'))!;
    expect(csvRow.split(',')[at]).toBe('');
    expect(renderTable(profiles)).not.toMatch(/<td class="num">0\.00%<\/td><td class="num">0\.00<\/td>/);
  });

  it('the paper-layout error-rate table leaves the cell empty; repeated, the mean is over the runs that sent requests', () => {
    const single = table('error-rate');
    const p2p = single.columns.findIndex((c) => c.key === 'p2p_error_rate');
    expect(single.rows.find((r) => r[0] === 10)![p2p]).toBeNull();
    expect(single.rows.find((r) => r[0] === 1)![p2p]).toEqual(expect.any(Number));

    const { manifest, profiles } = runWithAnEmptyProfile(2);
    const sent = profiles.find((p) => p.system === 'p2p' && p.workers === 10 && p.repetition === 1)!;
    const repeated = runTables(assembleRun('empty', manifest, profiles));
    expect(repeated.find((t) => t.id === 'error-rate')!.rows.find((r) => r[0] === 10)![p2p]).toBeCloseTo(sent.errorRate, 12);
    const reps = repeated.find((t) => t.id === 'repetitions')!;
    const mean = reps.columns.findIndex((c) => c.key === 'error_rate_mean');
    expect(reps.rows.find((r) => r[0] === 'p2p' && r[1] === 10)![mean]).toBeCloseTo(sent.errorRate, 12);
  });

  it('the index\'s run summary and comparison leave it empty, and the error-rate chart draws no point for it', () => {
    const { manifest, profiles } = runWithAnEmptyProfile();
    const run = assembleRun('empty', manifest, profiles);
    const summary = summarizeRun(run, 'empty/index.html');
    expect(summary.profiles.find((p) => p.system === 'p2p' && p.workers === 10)!.errorRate).toBeNull();
    const compared = comparisonTable(summary, summary);
    const row = compared.rows.find((r) => r[0] === 'p2p' && r[1] === 10)!;
    const a = compared.columns.findIndex((c) => c.key === 'a_error_rate');
    expect(row.slice(a, a + 3)).toEqual([null, null, null]);
    const chart = summaryCharts(run).find((c) => c.id === 'summary-error-rate')!;
    const values = (chart.spec as { data?: { values: { system: string; workers: number; value: number | null; source: string }[] } }).data!.values;
    expect(values.find((v) => v.system === 'p2p' && v.workers === 10 && v.source === 'this run')?.value ?? null).toBeNull();
  });

  it('a sweep point that sent nothing has no error rate in the sweep\'s table either', () => {
    const { profiles } = runWithAnEmptyProfile();
    const rows = sweepRows([{ id: 'length=2', length: 2, clientBytes: 100, hopBytes: 100, payloadBytes: null, profiles }]);
    expect(rows.find((r) => r.system === 'p2p' && r.workers === 10)!.errorRate).toBeNull();
    expect(rows.find((r) => r.system === 'p2p' && r.workers === 1)!.errorRate).toEqual(expect.any(Number));
  });
});
