/** Which baselines a run can be judged against, and the gate's verdicts on client-limited and repeated baselines. */
import { describe, expect, it } from 'vitest';
import { incomparable, type PlannedRun } from '../../harness/gate/comparable.ts';
import { evaluate } from '../../harness/gate/evaluate.ts';
import { parseCheck } from '../../harness/gate/thresholds.ts';
import type { ProfileResult } from '../../harness/results/schema.ts';

const plan: PlannedRun = { targetKind: 'fog', hostCpus: 2, durationMs: 10_000, warmupMs: 5_000, keepAlive: false, rate: null, batchSize: 400, systems: ['p2p'] };

describe('comparability of a run and a baseline', () => {
  it('accepts the same kind of run', () => {
    expect(incomparable(plan, { ...plan }, ['p2p'])).toEqual([]);
  });

  // Issue 14: on 25c3c31 the gate compared anything with anything, e.g. a 4-core runner (whose
  // `scale: auto` doubles every fog quota) with a 2-core baseline.
  it('names every difference that makes the figures incomparable', () => {
    const why = incomparable(plan, { ...plan, hostCpus: 4, durationMs: 30_000, keepAlive: true, targetKind: 'loopback', warmupMs: 0, systems: ['openfaas'] }, ['p2p']);
    expect(why).toEqual([
      'target fog vs loopback',
      'host cores 2 vs 4 (the fog\'s scale: auto sizes node quotas by the host\'s cores)',
      'profile duration 10 s vs 30 s',
      'warm-up 5 s vs 0 s',
      'keep-alive off vs on',
      'the baseline has no p2p (its systems: openfaas)',
    ]);
    expect(incomparable(plan, { ...plan, rate: 50 }, ['p2p'])).toEqual(['closed loop vs open loop at 50 req/s']);
  });
});

const profile = (throughput: number, limited = false): ProfileResult =>
  ({ system: 'p2p', workers: 10, throughput, interrupted: false, client: { samples: [], limited, reason: limited ? 'load generator saturated in 5 of 10 s' : null } }) as unknown as ProfileResult;
const check = parseCheck('p2p.throughput[workers=10] >= 0.8 * baseline', 1, 't');

describe('evaluate', () => {
  // Issue 14: client.limited was ignored: a run whose load generator set the pace passed or failed as if it measured the system.
  it('does not judge a client-limited profile, on either side', () => {
    const [v] = evaluate([check], [profile(100, true)], [[profile(100)]]);
    expect(v).toMatchObject({ passed: false, problem: expect.stringMatching(/client-limited .* describe the load generator/) });
    expect(evaluate([check], [profile(100)], [[profile(100, true)]])[0]!.problem).toMatch(/baseline's .* client-limited/);
  });

  // Issue 14: each passing night became the next baseline, so drops just under the threshold
  // compounded night after night. Against the median of recent nights they cannot.
  it('compares with the median of several baseline runs, so one night cannot move the reference', () => {
    const nights = [100, 98, 102, 60, 101].map((t) => [profile(t)]);
    const [v] = evaluate([check], [profile(79)], nights);
    expect(v).toMatchObject({ baseline: 100, baselineRuns: 5, limit: 80, passed: false });
    // Four nights each 15 % under the last, each passing against the previous night alone, fail against the median.
    let reference = 100;
    const history: ProfileResult[][] = [[profile(100)], [profile(100)], [profile(100)]];
    let passedAgainstPrevious = 0;
    let failedAgainstMedian = 0;
    for (let night = 0; night < 4; night++) {
      const tonight = reference * 0.85;
      if (evaluate([check], [profile(tonight)], [[profile(reference)]])[0]!.passed) passedAgainstPrevious++;
      if (!evaluate([check], [profile(tonight)], history)[0]!.passed) failedAgainstMedian++;
      history.push([profile(tonight)]);
      reference = tonight;
    }
    expect(passedAgainstPrevious).toBe(4);
    expect(failedAgainstMedian).toBeGreaterThan(0);
  });
});
