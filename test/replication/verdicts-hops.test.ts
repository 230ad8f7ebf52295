/** The time-between-services claims (figures 11–12, §IV.D–E): each reproduced, not reproduced, untestable. */
import { describe, expect, it } from 'vitest';
import { combine, type Part } from '../../harness/replication/verdict-rules.ts';
import { judgeC11, judgeC12, judgeC13 } from '../../harness/replication/verdicts-hops.ts';
import type { ProfileResult } from '../../harness/results/schema.ts';
import { paperLikeSpecs, profilesOf, type Specs } from '../helpers/paper-like-run.ts';

const base = paperLikeSpecs();
const reproduced = profilesOf(base);
const verdict = (judge: (p: readonly ProfileResult[]) => Part[], edit?: (s: Specs) => void) => combine(judge(edit ? profilesOf(base, edit) : reproduced));
const hops = (key: string, hopMs: number[] | undefined, hopCount?: number) => (s: Specs) => void Object.assign(s[key]!, { hopMs, hopCount });

describe("C11: p2p's median time between services below OpenFaaS's on every hop at 10 and 50 workers", () => {
  it('reproduced', () => {
    const v = verdict(judgeC11);
    expect(v.status).toBe('reproduced');
    expect(v.evidence).toMatch(/^10 workers, get → filter-temperature: p2p 10\.0 ms, OpenFaaS 12\.5 ms, OpenFaaS\/p2p 1\.25, above 1;/);
  });
  it('not reproduced when one hop is faster through OpenFaaS', () => {
    const v = verdict(judgeC11, hops('openfaas-w50', [40, 5, 80]));
    expect(v).toMatchObject({ status: 'not-reproduced', evidence: expect.stringMatching(/50 workers, filter-temperature → compute-average: p2p 10\.0 ms, OpenFaaS 5\.00 ms, OpenFaaS\/p2p 0\.50, below 1/) });
  });
  it('untestable when too few requests got through a hop', () => {
    const v = verdict(judgeC11, hops('openfaas-w50', [40, 80, 80], 12));
    expect(v).toMatchObject({ status: 'untestable', evidence: expect.stringMatching(/openfaas at 50 workers has 12 gaps on get → filter-temperature \(a median needs 30\)/) });
  });
});

describe("C12: p2p's time between services does not grow with workers; OpenFaaS's does", () => {
  it('reproduced', () => {
    expect(verdict(judgeC12)).toMatchObject({
      status: 'reproduced',
      evidence: 'p2p: time between services over the chain 30.0 ms at 10 workers, 30.0 ms at 50, ×1.00, no rise resolved; openfaas: time between services over the chain 92.5 ms at 10 workers, 200 ms at 50, ×2.16, a rise',
    });
  });
  it("not reproduced when p2p's doubles", () => {
    const v = verdict(judgeC12, hops('p2p-w50', [20, 20, 20]));
    expect(v).toMatchObject({ status: 'not-reproduced', evidence: expect.stringMatching(/^p2p: .* 30\.0 ms at 10 workers, 60\.0 ms at 50, ×2\.00, a rise/) });
  });
  it("not reproduced when OpenFaaS's stays put", () => {
    const v = verdict(judgeC12, hops('openfaas-w50', [12.5, 40, 40]));
    expect(v).toMatchObject({ status: 'not-reproduced', evidence: expect.stringMatching(/openfaas: .* ×1\.00, no rise resolved$/) });
  });
  it("judges OpenFaaS's half when p2p's cannot be", () => {
    const v = verdict(judgeC12, (s) => void (s['p2p-w50']!.clientLimited = true));
    expect(v.status).toBe('untestable');
    expect(v.evidence).toMatch(/^p2p at 50 workers is client-limited: .*; openfaas: time between services over the chain 92\.5 ms at 10 workers, 200 ms at 50, ×2\.16, a rise$/);
    expect(verdict(judgeC12, (s) => Object.assign(s['p2p-w50']!, { clientLimited: true }) && Object.assign(s['openfaas-w50']!, { hopMs: [12.5, 40, 40] })).status).toBe('not-reproduced');
  });

  it('untestable without spans at 50 workers', () => {
    const v = verdict(judgeC12, hops('p2p-w50', undefined));
    expect(v).toMatchObject({ status: 'untestable', evidence: expect.stringMatching(/p2p at 50 workers has 0 gaps on get → filter-temperature/) });
  });
});

describe("C13: the first hop's medians about equal between the systems at 10 workers", () => {
  it('reproduced', () => expect(verdict(judgeC13)).toMatchObject({ status: 'reproduced', evidence: expect.stringMatching(/OpenFaaS\/p2p 1\.25, about equal$/) }));
  it('not reproduced at three times', () => {
    const v = verdict(judgeC13, hops('openfaas-w10', [30, 40, 40]));
    expect(v).toMatchObject({ status: 'not-reproduced', evidence: expect.stringMatching(/OpenFaaS\/p2p 3\.00, outside the margins of equal$/) });
  });
  it('untestable without OpenFaaS at 10 workers', () => {
    expect(verdict(judgeC13, (s) => void delete s['openfaas-w10'])).toMatchObject({ status: 'untestable', evidence: 'no openfaas profile at 10 workers (this run has openfaas at 1, 5, 50)' });
  });
});
