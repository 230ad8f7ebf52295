/**
 * Every table shows the mean over repeated runs, as the charts do (issue 14: on 25c3c31 the
 * paper-layout tables and the run comparison showed the first repetition found).
 */
import { describe, expect, it } from 'vitest';
import { assembleRun } from '../../harness/report/run-data.ts';
import { comparisonTable, summarizeRun } from '../../harness/report/run-summary.ts';
import { runTables } from '../../harness/report/run-tables.ts';
import { syntheticRun } from '../../harness/report/synthetic-run.ts';

/** Two repetitions of each profile: the second with throughput and latency changed by `factor`. */
function repeated(runId: string, factor: number) {
  const first = syntheticRun({ runId, seconds: 5, workers: [1, 10], systems: ['p2p'] });
  const second = syntheticRun({ runId, seconds: 5, workers: [1, 10], systems: ['p2p'], seed: 9 });
  const profiles = [
    ...first.profiles.map((p) => ({ ...p, repetition: 1 })),
    ...second.profiles.map((p) => ({ ...p, repetition: 2, throughput: first.profiles.find((q) => q.workers === p.workers)!.throughput * factor })),
  ];
  return { run: assembleRun(runId, { ...first.manifest, profiles: profiles.map((p) => ({ system: p.system, workers: p.workers, repetition: p.repetition })) }, profiles), profiles };
}

describe('repetition means in every table', () => {
  it('paper-layout tables give the mean over the repetitions, leaving interrupted runs out', () => {
    const { run, profiles } = repeated('rep', 3);
    const throughput = runTables(run).find((t) => t.id === 'throughput')!;
    const w10 = profiles.filter((p) => p.workers === 10);
    expect(throughput.rows.find((r) => r[0] === 10)![1]).toBeCloseTo((w10[0]!.throughput + w10[1]!.throughput) / 2, 6);
    expect(throughput.caption).toMatch(/mean over the repeated runs/);
    w10[1]!.interrupted = true;
    const withInterrupted = runTables(assembleRun('rep', run.manifest, profiles)).find((t) => t.id === 'throughput')!;
    expect(withInterrupted.rows.find((r) => r[0] === 10)![1]).toBeCloseTo(w10[0]!.throughput, 6);
  });

  it('the run comparison compares the means of repeated runs, and says so', () => {
    const a = repeated('a', 1);
    const b = repeated('b', 3);
    const table = comparisonTable(summarizeRun(a.run, 'a'), summarizeRun(b.run, 'b'));
    const key = (k: string) => table.columns.findIndex((c) => c.key === k);
    const row = table.rows.find((r) => r[1] === 1)!;
    const b1 = b.profiles.filter((p) => p.workers === 1);
    expect(row[key('b_throughput_rps')]).toBeCloseTo((b1[0]!.throughput + b1[1]!.throughput) / 2, 6);
    expect(row[key('note')]).toBe('A mean of 2 runs; B mean of 2 runs');
  });
});
