/** Comparing two runs, profile by profile, as the index does. */
import { describe, expect, it } from 'vitest';
import { assembleRun } from '../../harness/report/run-data.ts';
import { comparisonTable, compareRuns, runListTable, sortRuns, summarizeRun } from '../../harness/report/run-summary.ts';
import { syntheticRun } from '../../harness/report/synthetic-run.ts';

const summary = (options: Parameters<typeof syntheticRun>[0]) => {
  const { manifest, profiles } = syntheticRun(options);
  return summarizeRun(assembleRun(options.runId, manifest, profiles), `runs/${options.runId}/index.html`);
};

describe('comparison of two runs', () => {
  const a = summary({ runId: 'a', seconds: 5, workers: [1, 5], createdAt: '2026-01-01T00:00:00Z' });
  const b = summary({ runId: 'b', seconds: 5, workers: [5, 10], createdAt: '2026-01-02T00:00:00Z', seed: 3 });

  it('pairs profiles by system and workers, with gaps where one run lacks a profile', () => {
    const rows = compareRuns(a, b);
    expect(rows.map((r) => `${r.system}-${r.workers}:${r.a ? 'A' : '-'}${r.b ? 'B' : '-'}`)).toEqual([
      'p2p-1:A-',
      'p2p-5:AB',
      'p2p-10:-B',
      'openfaas-1:A-',
      'openfaas-5:AB',
      'openfaas-10:-B',
    ]);
  });

  it('gives relative changes for throughput and latency and points for errors', () => {
    const table = comparisonTable(a, b);
    const key = (k: string) => table.columns.findIndex((c) => c.key === k);
    const row = table.rows.find((r) => r[0] === 'openfaas' && r[1] === 5)!;
    const pa = a.profiles.find((p) => p.system === 'openfaas' && p.workers === 5)!;
    const pb = b.profiles.find((p) => p.system === 'openfaas' && p.workers === 5)!;
    expect(row[key('change_throughput')]).toBeCloseTo((pb.throughput - pa.throughput) / pa.throughput, 10);
    expect(row[key('change_mean')]).toBeCloseTo((pb.meanMs - pa.meanMs) / pa.meanMs, 10);
    expect(row[key('change_error_rate')]).toBeCloseTo(pb.errorRate! - pa.errorRate!, 10);
    const onlyA = table.rows.find((r) => r[0] === 'p2p' && r[1] === 1)!;
    expect(onlyA[key('b_throughput_rps')]).toBeNull();
    expect(onlyA[key('change_throughput')]).toBeNull();
  });

  it('sorts runs newest first', () => {
    expect(sortRuns([a, b]).map((r) => r.runId)).toEqual(['b', 'a']);
  });
});

describe('interrupted runs in the index (issue 13)', () => {
  const interrupted = (() => {
    const { manifest, profiles } = syntheticRun({ runId: 'cut', seconds: 5, workers: [1], systems: ['p2p'], createdAt: '2026-01-03T00:00:00Z' });
    profiles[0]!.interrupted = true;
    return summarizeRun(assembleRun('cut', manifest, profiles), 'runs/cut/index.html');
  })();
  const whole = summary({ runId: 'whole', seconds: 5, workers: [1], systems: ['p2p'], createdAt: '2026-01-02T00:00:00Z' });

  it('labels a run with an interrupted profile "interrupted", not "complete"', () => {
    const table = runListTable([interrupted, whole]);
    const status = table.columns.findIndex((c) => c.key === 'status');
    expect(table.rows[0]![status]).toMatch(/^interrupted/);
    expect(table.rows[0]![status]).not.toMatch(/complete/);
    expect(table.rows[1]![status]).toMatch(/^complete/);
  });

  it('marks the interrupted side in the comparison', () => {
    const table = comparisonTable(whole, interrupted);
    const note = table.columns.findIndex((c) => c.key === 'note');
    expect(note).toBeGreaterThan(0);
    expect(table.rows.map((r) => r[note])).toEqual(['B interrupted']);
    expect(comparisonTable(whole, whole).rows.map((r) => r[note])).toEqual([null]);
  });
});
