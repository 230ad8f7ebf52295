/** Which baselines a run can be judged against, and the gate's verdicts on client-limited and repeated baselines. */
import { describe, expect, it } from 'vitest';
import { incomparable, type PlannedRun } from '../../harness/gate/comparable.ts';
import { renderVerdicts } from '../../harness/gate/evaluate.ts';
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

  // Audit item 7: driver, client timeout, arrivals/seed, faults and OpenFaaS replicas/timeouts were not compared.
  it('names a different driver, client timeout, open-loop schedule, faults, and OpenFaaS replicas or timeouts', () => {
    const full: PlannedRun = {
      ...plan,
      systems: ['p2p', 'openfaas'],
      driver: 'fogbench-http',
      timeoutMs: 20_000,
      arrivals: 'constant',
      seed: 1,
      faults: [],
      replicas: 1,
      openfaasTimeoutsMs: { gateway: 60_000, function: 10_000 },
    };
    expect(incomparable(full, { ...full }, ['p2p', 'openfaas'])).toEqual([]);
    expect(incomparable(full, { ...full, driver: 'hey' }, ['p2p'])).toEqual(['load driver fogbench-http vs hey']);
    expect(incomparable(full, { ...full, timeoutMs: 5_000 }, ['p2p'])).toEqual(['client timeout 20 s vs 5 s']);
    expect(incomparable(full, { ...full, faults: ['kill:get@5s'] }, ['p2p'])).toEqual(['faults none vs kill:get@5s']);
    const open = { ...full, rate: 50, driver: 'fogbench-open-loop' };
    expect(incomparable(open, { ...open, arrivals: 'poisson' }, ['p2p'])).toEqual(['open-loop arrivals constant vs poisson']);
    const poisson = { ...open, arrivals: 'poisson' };
    expect(incomparable(poisson, { ...poisson, seed: 2 }, ['p2p'])).toEqual(['Poisson schedule seed 1 vs 2']);
    // Closed loop: arrivals and seed are not used, so they cannot make runs differ.
    expect(incomparable(full, { ...full, arrivals: 'poisson', seed: 7 }, ['p2p'])).toEqual([]);
    expect(incomparable(full, { ...full, replicas: 2 }, ['openfaas'])).toEqual(['OpenFaaS replicas per function 1 vs 2']);
    expect(incomparable(full, { ...full, openfaasTimeoutsMs: { gateway: 60_000, function: 30_000 } }, ['openfaas'])).toEqual([
      'OpenFaaS timeouts gateway 60 s, function 10 s vs gateway 60 s, function 30 s',
    ]);
    // Only what an OpenFaaS system measures: a p2p-only gate does not care.
    expect(incomparable(full, { ...full, replicas: 2, openfaasTimeoutsMs: { gateway: 1_000, function: 1_000 } }, ['p2p'])).toEqual([]);
    // A plan that does not know a field (an older caller) is not refused for it.
    expect(incomparable(plan, { ...full, systems: ['p2p'], driver: 'hey', timeoutMs: 1 }, ['p2p'])).toEqual([]);
  });

  // Issue 21: the functions' server and p2p's deadline change what each system measures.
  it("names another OpenFaaS function runtime, and another p2p deadline, for the system they change", () => {
    const full: PlannedRun = { ...plan, systems: ['p2p', 'openfaas'], functionRuntime: 'template', p2pDeadlineMs: 10_000 };
    expect(incomparable(full, { ...full, functionRuntime: 'bare' }, ['openfaas'])).toEqual(['OpenFaaS function runtime template vs bare']);
    expect(incomparable(full, { ...full, functionRuntime: 'bare' }, ['p2p'])).toEqual([]);
    expect(incomparable(full, { ...full, p2pDeadlineMs: 19_000 }, ['p2p'])).toEqual(['p2p deadline (chain budget) 10 s vs 19 s']);
    expect(incomparable(full, { ...full, p2pDeadlineMs: 19_000 }, ['openfaas'])).toEqual([]);
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

  // Audit item 6: the median of recent nights still follows a slow decline; a fixed reference does not.
  it('holds relative checks against a fixed reference too, the stricter limit winning, and says which', () => {
    const nights = [90, 85, 88].map((t) => [profile(t)]);
    const [below] = evaluate([check], [profile(75)], nights, [[profile(100)]]);
    // The nights' median (88) allows 70.4; the reference (100) allows 80: 75 fails.
    expect(below).toMatchObject({ passed: false, baseline: 88, baselineRuns: 3, reference: 100, limit: 80, limitFrom: 'reference' });
    expect(renderVerdicts([below!])).toMatch(/^FAIL {2}p2p\.throughput\[workers=10\] >= 0\.8 \* baseline {2}— 75\.00 req\/s >= 80\.00 req\/s \(baseline median of 3 runs 88\.00 req\/s; reference 100\.00 req\/s; limit from the reference, the stricter\)$/m);
    // A reference below the nights: the nights' limit is the stricter one.
    expect(evaluate([check], [profile(75)], nights, [[profile(50)]])[0]).toMatchObject({ passed: true, limit: 70.4, limitFrom: 'baseline' });
    // A ceiling takes the lower limit.
    const ceiling = parseCheck('p2p.latency.p99[workers=10] <= baseline * 1.5', 2, 't');
    const lat = (p99: number) => ({ ...profile(100), latency: { p99 } }) as unknown as ProfileResult;
    expect(evaluate([ceiling], [lat(140)], [[lat(120)]], [[lat(90)]])[0]).toMatchObject({ passed: false, limit: 135, limitFrom: 'reference' });
    // The reference alone, without nights.
    expect(evaluate([check], [profile(79)], null, [[profile(100)]])[0]).toMatchObject({ passed: false, limit: 80, baseline: null, reference: 100 });
    // A reference without the profile, or client-limited there, judges nothing.
    expect(evaluate([check], [profile(90)], nights, [[]])[0]!.problem).toMatch(/the reference has no complete p2p profile at 10 workers/);
    expect(evaluate([check], [profile(90)], nights, [[profile(100, true)]])[0]!.problem).toMatch(/the reference's .* client-limited/);
    // Absolute checks do not depend on either.
    const absolute = parseCheck('p2p.throughput[workers=10] >= 50', 3, 't');
    expect(evaluate([absolute], [profile(60)], nights, [[profile(1000)]])[0]).toMatchObject({ passed: true, limit: 50 });
  });
});
