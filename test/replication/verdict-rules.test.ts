import { describe, expect, it } from 'vitest';
import {
  combine,
  isAbout,
  isAbove,
  isBelow,
  judgedInterval,
  measure,
  measureRatio,
  part,
  profilesOf,
  VERDICT_RULES,
  windowTooShort,
} from '../../harness/replication/verdict-rules.ts';
import { judgeC1 } from '../../harness/replication/verdicts-load.ts';
import { phasedRun, type PhasedProfileSpec } from '../../harness/report/synthetic-phases.ts';

const single = (value: number) => ({ value, ci: null, n: 1 });

describe('verdict rules', () => {
  it("gives a figure without repetitions one run's margin, and one with repetitions its 95 % interval", () => {
    expect(VERDICT_RULES.singleRunMargin).toBe(0.15);
    expect(judgedInterval(single(2))).toEqual({ lo: 2 / 1.15, hi: 2.3 });
    const repeated = measure([1.1, 1.12, 1.08]);
    expect(repeated.n).toBe(3);
    expect(judgedInterval(repeated)).toEqual(repeated.ci);
  });

  it('calls a single figure above or below a threshold only beyond the margin', () => {
    expect(isAbove(single(1.16), 1)).toBe(true);
    expect(isAbove(single(1.14), 1)).toBe(false);
    expect(isBelow(single(1 / 1.16), 1)).toBe(true);
    expect(isBelow(single(1 / 1.14), 1)).toBe(false);
  });

  it("calls a single figure about the paper's when the two margins meet", () => {
    // 0.66 / 1.15² = 0.499 and 0.66 × 1.15² = 0.873.
    expect(isAbout(single(0.5), 0.66)).toBe(true);
    expect(isAbout(single(0.49), 0.66)).toBe(false);
    expect(isAbout(single(0.87), 0.66)).toBe(true);
    expect(isAbout(single(0.88), 0.66)).toBe(false);
  });

  it('lets repetitions resolve a difference one run cannot, and refuse one that a single run would grant', () => {
    const tight = measureRatio([2.2, 2.21, 2.19], [2, 2.01, 1.99])!;
    expect(tight.value).toBeCloseTo(1.1, 2);
    expect(isAbove(single(tight.value), 1)).toBe(false);
    expect(isAbove(tight, 1)).toBe(true);
    const wide = measure([0.8, 1.6, 1.5]);
    expect(wide.value).toBeGreaterThan(1.15);
    expect(isAbove(wide, 1)).toBe(false);
    // About: the interval only has to reach the paper's band.
    expect(isAbout(measure([0.38, 0.4, 0.42]), 0.66)).toBe(false);
    expect(isAbout(measure([0.3, 0.45, 0.6]), 0.66)).toBe(true);
  });

  it('combines parts: any failure fails, else any untestable part leaves the claim untestable; what decided comes first, the same words once', () => {
    const ok = part('reproduced', 'a');
    const no = part('not-reproduced', 'b');
    const unknown = part('untestable', 'c');
    expect(combine([ok, ok])).toEqual({ status: 'reproduced', evidence: 'a' });
    // What decided the verdict is said first.
    expect(combine([ok, unknown])).toEqual({ status: 'untestable', evidence: 'c; a' });
    expect(combine([ok, unknown, no])).toEqual({ status: 'not-reproduced', evidence: 'b; c; a' });
  });

  it('leaves out interrupted, client-limited and open-loop profiles, saying why', () => {
    const run = phasedRun('rules', [
      { system: 'p2p', workers: 1, seconds: 60, rate: 2, latencyMs: 500, clientLimited: true },
      { system: 'p2p', workers: 5, seconds: 60, rate: 2, latencyMs: 500, interrupted: true },
      { system: 'p2p', workers: 10, seconds: 60, rate: 2, latencyMs: 500 },
    ]);
    run.profiles[2]!.mode = 'open';
    expect(profilesOf(run.profiles, 'p2p', 1)).toEqual({ missing: 'p2p at 1 workers is client-limited: the load generator, not the system, set the pace (the summary says why)' });
    expect(profilesOf(run.profiles, 'p2p', 5)).toEqual({ missing: 'p2p at 5 workers is interrupted (Ctrl-C): a shortened window' });
    expect(profilesOf(run.profiles, 'p2p', 10)).toEqual({ missing: "p2p at 10 workers is open loop (the paper's profiles are closed loops of hey workers)" });
    expect(profilesOf(run.profiles, 'openfaas', 10)).toEqual({ missing: 'no openfaas profile in this run' });
    expect(windowTooShort(run.profiles.slice(0, 1), 120, 'this')).toBe('p2p at 1 workers has a 60 s window; this needs at least 120 s');
    expect(windowTooShort(run.profiles.slice(0, 1), 60, 'this')).toBeNull();
  });

  it('judges a claim on the repetitions when there are several', () => {
    const specs = (rates: [number, number][]): PhasedProfileSpec[] =>
      rates.flatMap(([p2p, openfaas], i) => [
        { system: 'p2p', workers: 1, repetition: i + 1, seconds: 100, rate: p2p, latencyMs: 1000 / p2p },
        { system: 'openfaas', workers: 1, repetition: i + 1, seconds: 100, rate: openfaas, latencyMs: 1000 / openfaas },
      ]);
    const atOne = (rates: [number, number][]) => judgeC1(phasedRun('reps', specs(rates)).profiles)[0]!;
    expect(atOne([[2.2, 2]])).toMatchObject({ status: 'not-reproduced', text: expect.stringMatching(/ratio 1\.10, not resolved from 1/) });
    expect(atOne([[2.2, 2], [2.22, 2.02], [2.18, 1.98]])).toMatchObject({
      status: 'reproduced',
      text: expect.stringMatching(/^1 worker: p2p 2\.20 \[2\.\d\d, 2\.\d\d\] \(3 runs\) req\/s, OpenFaaS 2\.00 \[1\.\d\d, 2\.\d\d\] \(3 runs\) req\/s, ratio 1\.10 \[1\.\d\d, 1\.\d\d\] \(3 runs\), above 1$/),
    });
  });
});
