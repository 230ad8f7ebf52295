/**
 * Latency figures say what they hold (issue 14: on 25c3c31 the summary, the profiles table,
 * the schema and the README called the latency "every response", while timed-out requests were
 * in no latency figure at all).
 */
import { describe, expect, it } from 'vitest';
import { renderSummaryTable } from '../../harness/cli/summary-table.ts';
import { assembleRun } from '../../harness/report/run-data.ts';
import { runTables } from '../../harness/report/run-tables.ts';
import { syntheticRun } from '../../harness/report/synthetic-run.ts';
import type { ProfileResult } from '../../harness/results/schema.ts';

/** A run whose w10 profile had 3 timeouts at a 20 s client timeout. */
function runWithTimeouts() {
  const { manifest, profiles } = syntheticRun({ runId: 'labels', seconds: 5, workers: [1, 10], systems: ['p2p'] });
  const withTimeouts = profiles.map((p): ProfileResult => {
    if (p.workers !== 10) return p;
    const errors = { ...p.errors, timeout: 3 };
    const requests = p.requests + 3;
    return {
      ...p,
      errors,
      requests,
      errorRate: (requests - p.ok) / requests,
      latencyWithTimeouts: { ...p.latency, count: p.latency.count + 3, max: 20_000, p99: 20_000, censored: 3 },
    };
  });
  return { manifest, profiles: withTimeouts };
}

describe('latency labels', () => {
  it('the terminal summary says its latency is over completed responses and marks the profile whose timeouts it leaves out', () => {
    const { profiles } = runWithTimeouts();
    const text = renderSummaryTable(profiles);
    expect(text).not.toMatch(/latency: every response/);
    expect(text).toMatch(/latency: over completed responses/);
    const row = (workers: number) => text.split('\n').find((l) => new RegExp(`^p2p\\s+${workers}\\s`).test(l))!;
    expect(row(10)).toMatch(/†/);
    expect(row(1)).not.toMatch(/†/);
    expect(text).toMatch(/^† p2p w10: 3 timed out, \d+ cut off at the window's end, left out of the latency above/m);
  });

  // Issue 14 audit: the mark looked at timeouts only, so a stall's cut-off requests (censored at
  // their age when the window closed) left the latency without a mark.
  it('marks a profile whose cut-off requests would move its latency, and not one whose cut-offs are as old as the rest', () => {
    const { profiles } = syntheticRun({ runId: 'cut', seconds: 5, workers: [1, 10], systems: ['p2p'] });
    const cut = profiles.map((p): ProfileResult => {
      const stalled = p.workers === 10;
      const censoredP99 = stalled ? p.latency.p99 * 5 : p.latency.p99;
      return { ...p, cutOff: p.workers, latencyWithTimeouts: { ...p.latency, count: p.latency.count + p.workers, p99: censoredP99, censored: p.workers } };
    });
    const text = renderSummaryTable(cut);
    const row = (workers: number) => text.split('\n').find((l) => new RegExp(`^p2p\\s+${workers}\\s`).test(l))!;
    expect(row(10)).toMatch(/†/);
    expect(row(1)).not.toMatch(/†/);
    expect(text).toMatch(/^† p2p w10: 0 timed out, 10 cut off at the window's end/m);
  });

  it('names under the table a process the kernel killed during the window (it explains the errors above)', () => {
    const { profiles } = syntheticRun({ runId: 'oom', seconds: 30, workers: [1, 10], systems: ['p2p'] });
    const killed = profiles.map((p): ProfileResult =>
      p.workers !== 10
        ? p
        : {
            ...p,
            events: [
              { t: 5.9, at: '2026-11-26T11:56:05.953Z', kind: 'oom-kill', subject: 'filter-temperature', node: 'worker-2', detail: 'killed by the OOM killer' },
              { t: 15.9, at: '2026-11-26T11:56:15.959Z', kind: 'restart', subject: 'filter-temperature', node: 'worker-2', detail: 'restart #1' },
              { t: 17.9, at: '2026-11-26T11:56:17.963Z', kind: 'ready', subject: 'filter-temperature', node: 'worker-2', detail: 'ready' },
            ],
          },
    );
    const text = renderSummaryTable(killed);
    expect(text).toMatch(/^events, p2p w10: filter-temperature oom-kill at 5\.9 s; filter-temperature restart at 15\.9 s$/m);
    expect(text).not.toMatch(/^events, p2p w1:/m);
  });

  it('the profiles table does not call its latency "every response" and shows the latency including timeouts', () => {
    const { manifest, profiles } = runWithTimeouts();
    const table = runTables(assembleRun('labels', manifest, profiles)).find((t) => t.id === 'profiles')!;
    expect(table.caption).not.toMatch(/Latency of every response/);
    expect(table.caption).toMatch(/over completed responses/);
    const key = (k: string) => table.columns.findIndex((c) => c.key === k);
    expect(key('with_timeouts_p99_ms')).toBeGreaterThan(0);
    const w10 = table.rows.find((r) => r[key('workers')] === 10)!;
    expect(w10[key('with_timeouts_p99_ms')]).toBe(20_000);
  });

  // Issue 14, audit item 7: a profile with no responses showed 0.00 ms, a very fast system.
  it('the terminal summary shows "-" for the latency of a profile with no responses, and latencyWithTimeouts where it has them', () => {
    const { profiles } = syntheticRun({ runId: 'empty', seconds: 5, workers: [1, 10], systems: ['p2p'] });
    const none = { count: 0, mean: 0, stdev: 0, min: 0, max: 0, p50: 0, p90: 0, p99: 0, p999: 0, hdr: '' };
    const empty = profiles.map((p): ProfileResult =>
      p.workers !== 1
        ? p
        : {
            ...p,
            requests: 2,
            ok: 0,
            errors: { ...p.errors, timeout: 2 },
            errorRate: 1,
            latency: none,
            latencyOk: none,
            // Two timeouts: latencyWithTimeouts has them, censored.
            latencyWithTimeouts: { ...none, count: 2, mean: 20_000, p50: 20_000, p99: 20_000, max: 20_000, censored: 2 },
          },
    );
    const text = renderSummaryTable(empty);
    const row = (workers: number) => text.split('\n').find((l) => new RegExp(`^p2p\\s+${workers}\\s`).test(l))!;
    // system, workers, requests, req/s, ok req/s, then mean, p50, p90, p99 (marked: timeouts left out).
    expect(row(1).trim().split(/\s+/).slice(5, 9)).toEqual(['-†', '-†', '-†', '-†']);
    expect(row(10).trim().split(/\s+/).slice(5, 9).every((v) => /^\d+\.\d\d$/.test(v))).toBe(true);
    expect(text).toMatch(/^† p2p w1: 2 timed out, .*censored values \(2\): mean 20000\.00 ms, p50 20000\.00, p99 20000\.00 ms/m);
  });
});
