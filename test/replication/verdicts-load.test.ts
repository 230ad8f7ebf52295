/** The table claims, each with a run that reproduces it, one that does not, and one that cannot test it. */
import { describe, expect, it } from 'vitest';
import { combine, type Part } from '../../harness/replication/verdict-rules.ts';
import { judgeC1, judgeC10, judgeC14, judgeC2, judgeC3, judgeC4, judgeC5 } from '../../harness/replication/verdicts-load.ts';
import type { ProfileResult } from '../../harness/results/schema.ts';
import { paperLikeSpecs, profilesOf, type Specs } from '../helpers/paper-like-run.ts';

const base = paperLikeSpecs();
const reproduced = profilesOf(base);
const verdict = (judge: (p: readonly ProfileResult[]) => Part[], edit?: (s: Specs) => void) => combine(judge(edit ? profilesOf(base, edit) : reproduced));
const drop = (key: string) => (s: Specs) => void delete s[key];
const steady = (key: string, rate: number, latencyMs: number) => (s: Specs) => void (s[key] = { ...s[key]!, phases: undefined, rate, latencyMs });

describe('C1: p2p throughput above OpenFaaS at 1, 5 and 50 workers', () => {
  it('reproduced', () => expect(verdict(judgeC1)).toMatchObject({ status: 'reproduced', evidence: expect.stringMatching(/^1 worker: p2p 2\.04 req\/s, OpenFaaS 1\.35 req\/s, ratio 1\.51, above 1;/) }));
  it('not reproduced when OpenFaaS is faster at 5 workers', () => {
    const v = verdict(judgeC1, steady('openfaas-w5', 4.4, 1136));
    expect(v.status).toBe('not-reproduced');
    expect(v.evidence).toMatch(/5 workers: p2p 3\.67 req\/s, OpenFaaS 4\.40 req\/s, ratio 0\.83, below 1/);
  });
  it('not reproduced when the difference is within one run\'s margin', () => {
    const v = verdict(judgeC1, steady('openfaas-w1', 1.9, 526));
    expect(v).toMatchObject({ status: 'not-reproduced', evidence: expect.stringMatching(/ratio 1\.07, not resolved from 1/) });
  });
  it('untestable without 50 workers', () => {
    expect(verdict(judgeC1, drop('p2p-w50'))).toMatchObject({ status: 'untestable', evidence: expect.stringMatching(/no p2p profile at 50 workers \(this run has p2p at 1, 5, 10\)/) });
  });
});

describe('C2: OpenFaaS/p2p throughput ratio ≈ 0.66 at 1 and 0.60 at 5 workers', () => {
  it('reproduced', () => expect(verdict(judgeC2).status).toBe('reproduced'));
  it('not reproduced at a quarter of p2p', () => {
    const v = verdict(judgeC2, steady('openfaas-w1', 0.5, 2000));
    expect(v).toMatchObject({ status: 'not-reproduced', evidence: expect.stringMatching(/1 worker: OpenFaaS\/p2p throughput 0\.25 against the paper's 0\.66: outside the margins/) });
  });
  it('untestable without OpenFaaS at 5 workers', () => {
    expect(verdict(judgeC2, drop('openfaas-w5'))).toMatchObject({ status: 'untestable', evidence: expect.stringMatching(/no openfaas profile at 5 workers/) });
  });
});

describe('C3: OpenFaaS mean latency above p2p at 1 and 5 workers', () => {
  it('reproduced', () => expect(verdict(judgeC3).status).toBe('reproduced'));
  it('not reproduced when OpenFaaS answers faster', () => {
    const v = verdict(judgeC3, steady('openfaas-w1', 2.5, 400));
    expect(v).toMatchObject({ status: 'not-reproduced', evidence: expect.stringMatching(/1 worker, mean latency: OpenFaaS 400 ms, p2p 490 ms, ratio 0\.82, below 1/) });
  });
  it('untestable when the profile it needs was interrupted', () => {
    const v = verdict(judgeC3, (s) => void (s['openfaas-w5']!.interrupted = true));
    expect(v).toMatchObject({ status: 'untestable', evidence: expect.stringMatching(/openfaas at 5 workers is interrupted \(Ctrl-C\): a shortened window/) });
  });
});

describe('C4: p2p throughput rises with workers, ×3.6 from 1 to 50', () => {
  it('reproduced', () => expect(verdict(judgeC4)).toMatchObject({ status: 'reproduced', evidence: expect.stringMatching(/×4\.06 against the paper's ×3\.65, within the margins/) }));
  it('not reproduced when it only doubles', () => {
    const v = verdict(judgeC4, (s) => void (s['p2p-w50'] = { ...s['p2p-w50']!, phases: undefined, rate: 4.08, latencyMs: 12_250 }));
    expect(v).toMatchObject({ status: 'not-reproduced', evidence: expect.stringMatching(/×2\.00 against the paper's ×3\.65, outside the margins/) });
  });
  it('not reproduced when a step falls', () => {
    const v = verdict(judgeC4, steady('p2p-w10', 3, 3333));
    expect(v).toMatchObject({ status: 'not-reproduced', evidence: expect.stringMatching(/5 → 10 workers ×0\.82: falls/) });
  });
  it('untestable without 1 worker', () => {
    expect(verdict(judgeC4, drop('p2p-w1'))).toMatchObject({ status: 'untestable', evidence: expect.stringMatching(/no p2p profile at 1 workers/) });
  });
});

describe('C5: both systems error-free (≤ 0.25 %) at 1 and 5 workers', () => {
  it('reproduced at 0.25 % itself', () => expect(verdict(judgeC5)).toMatchObject({ status: 'reproduced', evidence: expect.stringMatching(/^p2p at 1 worker: 0\.25 % errors;/) }));
  it('not reproduced at 1 %', () => {
    const v = verdict(judgeC5, (s) => void (s['openfaas-w5']!.phases = [{ from: 0, to: 600, rate: 2.2, errorShare: 0.01, latencyMs: 2273 }]));
    expect(v).toMatchObject({ status: 'not-reproduced', evidence: expect.stringMatching(/openfaas at 5 workers: 0\.98 % errors \(above 0\.25 %\)/) });
  });
  it('untestable without 5 workers', () => {
    const v = verdict(judgeC5, (s) => ['p2p-w5', 'openfaas-w5'].forEach((k) => delete s[k]));
    expect(v).toMatchObject({ status: 'untestable', evidence: expect.stringMatching(/no p2p profile at 5 workers.*no openfaas profile at 5 workers/) });
  });
});

describe("C10: OpenFaaS throughput lower at 50 than at 10 workers, while p2p's rises", () => {
  it('reproduced', () => expect(verdict(judgeC10).status).toBe('reproduced'));
  it('not reproduced when OpenFaaS holds its throughput', () => {
    const v = verdict(judgeC10, (s) => void (s['openfaas-w50']!.phases = [{ from: 0, to: 600, rate: 8.8, errorShare: 0.99, latencyMs: 5682 }]));
    expect(v).toMatchObject({ status: 'not-reproduced', evidence: expect.stringMatching(/OpenFaaS 8\.80 req\/s at 10 workers, 8\.80 at 50: ×1\.00, not resolved from 1/) });
  });
  it('untestable without 10 workers', () => {
    expect(verdict(judgeC10, drop('openfaas-w10'))).toMatchObject({ status: 'untestable', evidence: expect.stringMatching(/no openfaas profile at 10 workers/) });
  });
});

describe("C14: Little's law holds for both systems", () => {
  it('reproduced', () => expect(verdict(judgeC14).status).toBe('reproduced'));
  it('not reproduced when timeouts are left out of the mean latency', () => {
    // The paper's own OpenFaaS at 50 workers: 50 ÷ 3.49 = 14.3 s against a 6.21 s mean.
    const v = verdict(judgeC14, (s) => void (s['openfaas-w50']!.phases = [{ from: 0, to: 600, rate: 3.49, errorShare: 0.99, errorClass: 'timeout', latencyMs: 6210 }]));
    expect(v.status).toBe('not-reproduced');
    expect(v.evidence).toMatch(/openfaas at 50 workers: workers ÷ req\/s 14327 ms against a mean latency of 6212 ms, ratio 2\.3\d \(outside the margins\); 2073 timed-out requests are not in the mean/);
  });
  it('untestable without OpenFaaS', () => {
    const v = verdict(judgeC14, (s) => Object.keys(s).filter((k) => k.startsWith('openfaas')).forEach((k) => delete s[k]));
    expect(v).toMatchObject({ status: 'untestable', evidence: expect.stringMatching(/no openfaas profile in this run/) });
  });
});
