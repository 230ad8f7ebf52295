/**
 * A run file is checked against the schema when it is read (harness/results/validate.ts).
 * Issue 14, audit item 7: `latencyWithTimeouts`, which the gate checks, was not checked at all,
 * so a negative figure there passed validation and then any `<=` check.
 */
import { describe, expect, it } from 'vitest';
import { syntheticRun } from '../../harness/report/synthetic-run.ts';
import { manifestProblems, profileProblems } from '../../harness/results/validate.ts';

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

// Issue 25's attack, repeated on run folders: these figures, hand-written into a run's files,
// were reported as they were (1e400 parses as Infinity).
describe('figures no run can have', () => {
  const run = () => syntheticRun({ runId: 'v', seconds: 3, workers: [1], systems: ['p2p'] });

  it('refuses a profile longer than the longest window', () => {
    const p = profile();
    Object.assign(p, { durationSeconds: 1e300 });
    expect(profileProblems(p)).toEqual(['durationSeconds is 1e+300, expected a number from 0 to 2147483.647']);
  });

  it('refuses an option or a batch size that is not a finite number', () => {
    const manifest = run().manifest;
    expect(manifestProblems(manifest)).toEqual([]);
    Object.assign(manifest.options, { durationMs: JSON.parse('1e400') as number });
    Object.assign(manifest.dataset, { batchSize: 1e22 });
    expect(manifestProblems(manifest)).toEqual(['dataset.batchSize is 1e+22, expected a whole number from 1 to 9007199254740991', 'options.durationMs is not a finite number, expected a finite number']);
  });
});

