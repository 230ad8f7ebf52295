/** The collapse claims (Table I's high error rates, figures 7, 9 and 10): each reproduced, not reproduced, untestable. */
import { describe, expect, it } from 'vitest';
import { combine, type Part } from '../../harness/replication/verdict-rules.ts';
import { judgeC6, judgeC7, judgeC8, judgeC9 } from '../../harness/replication/verdicts-collapse.ts';
import type { Phase } from '../../harness/report/synthetic-phases.ts';
import type { ProfileResult } from '../../harness/results/schema.ts';
import { paperLikeSpecs, profilesOf, type Specs } from '../helpers/paper-like-run.ts';

const base = paperLikeSpecs();
const reproduced = profilesOf(base);
const verdict = (judge: (p: readonly ProfileResult[]) => Part[], edit?: (s: Specs) => void) => combine(judge(edit ? profilesOf(base, edit) : reproduced));
const phases = (key: string, list: Phase[]) => (s: Specs) => void (s[key]!.phases = list);
/** Every profile of the run cut to `seconds`, each keeping its first phase's shape. */
const window = (seconds: number, keys: string[]) => (s: Specs) => {
  for (const k of keys) s[k] = { ...s[k]!, seconds, phases: [{ ...(s[k]!.phases?.[0] ?? { rate: s[k]!.rate!, latencyMs: s[k]!.latencyMs! }), from: 0, to: seconds }], events: [] };
};

describe('C6: OpenFaaS errors above 90 % at 10 and 50 workers', () => {
  it('reproduced, saying which mechanism produced the failures', () => {
    const v = verdict(judgeC6);
    expect(v.status).toBe('reproduced');
    expect(v.evidence).toMatch(/^OpenFaaS at 10 workers: 95\.6 % errors; 5049 failures \(http5xx 5049\), by mechanism: rejection: 100 % fast failures/);
    expect(v.evidence).toMatch(/OpenFaaS at 50 workers: 99\.0 % errors; 2073 failures \(http5xx 2073\), by mechanism: a deadline: 100 % error answers at about the 10 s deadline/);
  });
  it('not reproduced at half the requests failing', () => {
    const v = verdict(judgeC6, phases('openfaas-w10', [{ from: 0, to: 600, rate: 8, errorShare: 0.5, errorClass: 'timeout', latencyMs: 1250 }]));
    expect(v).toMatchObject({ status: 'not-reproduced', evidence: expect.stringMatching(/OpenFaaS at 10 workers: 50\.0 % errors \(not above 90 %\); 2400 failures \(timeout 2400\), by mechanism: the client's timeout: 100 % timed out at 20 s/) });
  });
  it('untestable on 30 s windows', () => {
    const v = verdict(judgeC6, window(30, ['openfaas-w10', 'openfaas-w50']));
    expect(v.status).toBe('untestable');
    expect(v.evidence).toMatch(/openfaas at 10 workers has a 30 s window; Table I's error rate \(a whole 10-minute window, collapse included\) needs at least 570 s \(this window: 0\.0 % errors\)/);
  });
});

describe('C7: OpenFaaS errors start about 90 s into the 10-worker run and do not recover', () => {
  const failingFrom = (onset: number, until = 600): Phase[] => [
    { from: 0, to: onset, rate: 2, latencyMs: 5000 },
    { from: onset, to: until, rate: 10, errorShare: 0.99, errorClass: 'http5xx', latencyMs: 1000 },
    ...(until < 600 ? [{ from: until, to: 600, rate: 2, latencyMs: 5000 }] : []),
  ];
  it('reproduced', () => {
    expect(verdict(judgeC7)).toMatchObject({ status: 'reproduced', evidence: expect.stringMatching(/^openfaas at 10 workers: errors took over at 90 s, no recovery in the 600 s window; 5049 failures/) });
  });
  it('times the onset from the load\'s start when a warm-up came first', () => {
    const v = verdict(judgeC7, (s) => Object.assign(s['openfaas-w10']!, { warmupMs: 5000, phases: failingFrom(85) }));
    expect(v).toMatchObject({ status: 'reproduced', evidence: expect.stringMatching(/errors took over at 90 s \(85 s into the window after a 5 s warm-up\)/) });
  });
  it('not reproduced when errors take over at once', () => {
    const v = verdict(judgeC7, phases('openfaas-w10', failingFrom(20)));
    expect(v).toMatchObject({ status: 'not-reproduced', evidence: expect.stringMatching(/errors took over at 20 s, outside 45–180 s, no recovery/) });
  });
  it('not reproduced when the system recovers', () => {
    const v = verdict(judgeC7, phases('openfaas-w10', failingFrom(90, 300)));
    expect(v).toMatchObject({ status: 'not-reproduced', evidence: expect.stringMatching(/errors took over at 90 s, recovered at 300 s/) });
  });
  it('not reproduced when errors never take over', () => {
    const v = verdict(judgeC7, phases('openfaas-w10', [{ from: 0, to: 600, rate: 4, latencyMs: 2500 }]));
    expect(v).toMatchObject({ status: 'not-reproduced', evidence: expect.stringMatching(/errors never stayed above half for 30 s \(0\.0 % errors in 600 s\)/) });
  });
  it('untestable on a window that ends before the latest onset it accepts', () => {
    const v = verdict(judgeC7, window(120, ['openfaas-w10']));
    expect(v).toMatchObject({ status: 'untestable', evidence: expect.stringMatching(/openfaas at 10 workers has a 120 s window; an onset of about 90 s \(45–180 s\) followed by 30 s needs at least 210 s/) });
  });
});

describe('C8: the OpenFaaS gateway restarts under 50 workers (about 3 times); p2p services do not', () => {
  it('reproduced', () => {
    const v = verdict(judgeC8);
    expect(v.status).toBe('reproduced');
    expect(v.evidence).toMatch(/the gateway crashed 3 times \(gateway exit at 230 s, gateway restart at 240 s, .*\); the paper's rate gives 3\.0 in 600 s, accepted 2–6/);
    expect(v.evidence).toMatch(/p2p at 50 workers: services did not crash$/);
  });
  it('not reproduced when the gateway holds', () => {
    const v = verdict(judgeC8, (s) => void (s['openfaas-w50']!.events = []));
    expect(v).toMatchObject({ status: 'not-reproduced', evidence: expect.stringMatching(/the gateway crashed 0 times \(none\)/) });
  });
  it('not reproduced when a p2p service restarts', () => {
    const v = verdict(judgeC8, (s) => void (s['p2p-w50']!.events = [{ t: 100, kind: 'exit', subject: 'filter-temperature', detail: 'killed by SIGKILL' }, { t: 110, kind: 'restart', subject: 'filter-temperature', detail: 'restart #1' }]));
    expect(v).toMatchObject({ status: 'not-reproduced', evidence: expect.stringMatching(/p2p at 50 workers: services crashed \(filter-temperature exit at 100 s, filter-temperature restart at 110 s\)/) });
  });
  it('untestable on windows too short to expect a restart', () => {
    const v = verdict(judgeC8, window(200, ['openfaas-w50', 'p2p-w50']));
    expect(v.status).toBe('untestable');
    expect(v.evidence).toMatch(/openfaas at 50 workers has a 200 s window; expecting gateway restarts at the paper's rate \(3 in 600 s\) needs at least 300 s/);
  });
});

describe('C9: p2p at 50 workers: about 19 % errors, everything rejected in the first ~40 s', () => {
  it('reproduced, with the mechanism', () => {
    const v = verdict(judgeC9);
    expect(v.status).toBe('reproduced');
    expect(v.evidence).toMatch(/^p2p at 50 workers: 18\.8 % errors against the paper's 18\.8 %; 933 failures \(envelope 133, refused 800\), by mechanism: rejection/);
    expect(v.evidence).toMatch(/p2p at 50 workers: errors above half from the start for 40 s; /);
  });
  it('not reproduced when the rejection lasts 150 s', () => {
    const v = verdict(judgeC9, phases('p2p-w50', [
      { from: 0, to: 150, rate: 6, errorShare: 1, errorClass: 'refused', latencyMs: 1 },
      { from: 150, to: 600, rate: 7.44, errorShare: 0.032, errorClass: 'envelope', latencyMs: 6040 },
    ]));
    expect(v).toMatchObject({ status: 'not-reproduced', evidence: expect.stringMatching(/errors above half from the start for 150 s, outside 20–80 s/) });
  });
  it('not reproduced without the first rejections or the overflow', () => {
    const v = verdict(judgeC9, phases('p2p-w50', [{ from: 0, to: 600, rate: 7.44, errorShare: 0.05, errorClass: 'envelope', latencyMs: 6720 }]));
    expect(v.status).toBe('not-reproduced');
    expect(v.evidence).toMatch(/5\.0 % errors against the paper's 18\.8 % \(outside the margins\)/);
    expect(v.evidence).toMatch(/errors never stayed above half for 30 s/);
  });
  it('untestable when a warm-up hid the load\'s first seconds', () => {
    const v = verdict(judgeC9, (s) => void (s['p2p-w50']!.warmupMs = 5000));
    expect(v).toMatchObject({ status: 'untestable', evidence: expect.stringMatching(/its window opened after a 5 s warm-up, so the load's first seconds are not in it \(run with --warmup 0\)/) });
  });
  it('untestable on a short window', () => {
    const v = verdict(judgeC9, window(60, ['p2p-w50']));
    expect(v.status).toBe('untestable');
    expect(v.evidence).toMatch(/p2p at 50 workers has a 60 s window; rejections for about 40 s \(20–80 s\) and what follows needs at least 110 s/);
  });
});
