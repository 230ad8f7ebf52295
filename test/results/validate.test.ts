/**
 * A run file is checked against the schema when it is read (harness/results/validate.ts).
 * Issue 14, audit item 7: `latencyWithTimeouts`, which the gate checks, was not checked at all,
 * so a negative figure there passed validation and then any `<=` check.
 */
import { describe, expect, it } from 'vitest';
import { syntheticRun } from '../../harness/report/synthetic-run.ts';
import { profileProblems } from '../../harness/results/validate.ts';

const profile = () => syntheticRun({ runId: 'v', seconds: 3, workers: [1], systems: ['p2p'] }).profiles[0]!;

describe('profile validation: latencyWithTimeouts', () => {
  it('accepts a profile as the bench writes it, and one from before the figure existed', () => {
    expect(profile().latencyWithTimeouts).toBeDefined();
    expect(profileProblems(profile())).toEqual([]);
    const { latencyWithTimeouts: _, ...older } = profile();
    expect(profileProblems(older)).toEqual([]);
  });

  it.each([
    ['a negative p99', (w: Record<string, unknown>) => Object.assign(w, { p99: -5 }), 'latencyWithTimeouts.p99 is -5, expected a number ≥ 0'],
    ['a negative mean', (w: Record<string, unknown>) => Object.assign(w, { mean: -0.5 }), 'latencyWithTimeouts.mean is -0.5, expected a number ≥ 0'],
    ['a p99 as a string', (w: Record<string, unknown>) => Object.assign(w, { p99: '5' }), 'latencyWithTimeouts.p99 is the string "5", expected a number ≥ 0'],
    ['no censored count', (w: Record<string, unknown>) => delete w.censored, 'latencyWithTimeouts.censored is missing, expected a value'],
    ['a fractional censored count', (w: Record<string, unknown>) => Object.assign(w, { censored: 1.5 }), 'latencyWithTimeouts.censored is 1.5, expected a whole number ≥ 0'],
  ])('refuses %s', (_what, edit, problem) => {
    const p = profile();
    edit(p.latencyWithTimeouts as unknown as Record<string, unknown>);
    expect(profileProblems(p)).toContain(problem);
  });

  it('still refuses a negative latency elsewhere', () => {
    const p = profile();
    Object.assign(p.latency, { p50: -1 });
    Object.assign(p.latencyOk, { max: -1 });
    expect(profileProblems(p)).toEqual(['latency.p50 is -1, expected a number ≥ 0', 'latencyOk.max is -1, expected a number ≥ 0']);
  });
});
