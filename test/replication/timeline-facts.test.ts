import { describe, expect, it } from 'vitest';
import { incidentList, timelineFacts } from '../../harness/replication/timeline-facts.ts';
import { phasedRun } from '../../harness/report/synthetic-phases.ts';

describe('timeline facts', () => {
  const run = phasedRun('facts', [
    {
      system: 'openfaas',
      workers: 10,
      seconds: 600,
      warmupMs: 5000,
      phases: [
        { from: 0, to: 90, rate: 5, latencyMs: 2000 },
        { from: 90, to: 600, rate: 1, errorShare: 0.95, errorClass: 'http5xx', latencyMs: 2000, errorLatencyMs: 10_400 },
      ],
      events: [
        { t: 230, kind: 'exit', subject: 'gateway', detail: 'exited with code 2' },
        { t: 240, kind: 'restart', subject: 'gateway', detail: 'restart #1' },
        { t: 244, kind: 'ready', subject: 'gateway', detail: 'readiness passed' },
      ],
    },
  ]);
  const profile = run.profiles[0]!;

  it('puts the onset, the recovery, the incidents and the mechanism of one profile together', () => {
    const f = timelineFacts(profile);
    expect(f).toMatchObject({ system: 'openfaas', workers: 10, repetition: 1, windowSeconds: 600, warmupSeconds: 5 });
    expect(f.episodes).toMatchObject({ onset: 90, failingUntil: null, recovery: null, fromStart: false });
    expect(f.incidents.byRole.gateway.crashes).toBe(1);
    expect(f.failures.main).toBe('deadline');
    expect(f.mechanism).toMatch(/a deadline: \d+ % error answers at about the 10 s deadline/);
    expect(f.latency).toEqual({ p99Ms: expect.any(Number), deadlineMs: 10_000, clientTimeoutMs: 20_000 });
    expect(f.latency.p99Ms!).toBeGreaterThan(10_000);
  });

  it('lists incidents with their times, leaving out the returns to ready', () => {
    const f = timelineFacts(profile);
    expect(incidentList(f, 'gateway')).toBe('gateway exit at 230 s, gateway restart at 240 s');
    expect(incidentList(f, 'function')).toBe('none');
  });

  it('works out one profile once, however many claims read it', () => {
    expect(timelineFacts(profile)).toBe(timelineFacts(profile));
  });
});
