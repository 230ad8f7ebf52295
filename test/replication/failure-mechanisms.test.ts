import { describe, expect, it } from 'vitest';
import { describeFailures, failureBreakdown } from '../../harness/replication/failure-mechanisms.ts';
import { unitIncidents } from '../../harness/replication/unit-incidents.ts';
import { phasedRun, type PhasedProfileSpec } from '../../harness/report/synthetic-phases.ts';
import type { ProfileResult } from '../../harness/results/schema.ts';

function breakdownOf(spec: Omit<PhasedProfileSpec, 'system' | 'workers'>, edit?: (p: ProfileResult) => void) {
  const p = phasedRun('mechanisms', [{ system: 'openfaas', workers: 10, ...spec }]).profiles[0]!;
  edit?.(p);
  const b = failureBreakdown(p, unitIncidents(p).outages);
  return { p, b, text: describeFailures(b) };
}

describe('failure mechanisms', () => {
  it('says there were none when nothing failed', () => {
    const { b, text } = breakdownOf({ seconds: 60, rate: 5, latencyMs: 200 });
    expect(b).toMatchObject({ failures: 0, main: null, counts: { deadline: 0, 'client-timeout': 0, crash: 0, probe: 0, rejection: 0 } });
    expect(text).toBe('no failures');
  });

  it('puts 5xx answers that came at about the deadline under the deadline, naming the timer', () => {
    const { b, text } = breakdownOf({
      seconds: 100,
      phases: [
        { from: 0, to: 50, rate: 5, latencyMs: 200 },
        { from: 50, to: 100, rate: 1, errorShare: 1, errorClass: 'http5xx', latencyMs: 200, errorLatencyMs: 11_000 },
      ],
    });
    expect(b.failures).toBe(50);
    expect(b.counts).toMatchObject({ deadline: 50, rejection: 0 });
    expect(b.main).toBe('deadline');
    expect(b.timers.find((t) => t.name === 'deadline')).toMatchObject({ ms: 10_000, count: 50 });
    expect(text).toBe('50 failures (http5xx 50), by mechanism: a deadline: 100 % error answers at about the 10 s deadline (the synthetic deadline)');
  });

  it('calls fast 5xx answers with no unit down a rejection', () => {
    const { b, text } = breakdownOf({ seconds: 60, phases: [{ from: 0, to: 60, rate: 10, errorShare: 0.5, errorClass: 'http5xx', latencyMs: 300, errorLatencyMs: 40 }] });
    expect(b.counts).toMatchObject({ deadline: 0, rejection: 300 });
    expect(b.main).toBe('rejection');
    expect(text).toMatch(/^300 failures \(http5xx 300\), by mechanism: rejection: 100 % fast failures/);
  });

  it("counts timeouts as the client's", () => {
    const { b, text } = breakdownOf({ seconds: 60, phases: [{ from: 0, to: 60, rate: 1, errorShare: 1, errorClass: 'timeout', latencyMs: 100 }] });
    expect(b.counts['client-timeout']).toBe(60);
    expect(b.main).toBe('client-timeout');
    expect(text).toMatch(/the client's timeout: 100 % timed out at 20 s/);
  });

  it('puts failures while the gateway was down under the crash, and those while a function failed its probe under the probe', () => {
    const { b, text } = breakdownOf({
      seconds: 120,
      phases: [
        { from: 0, to: 30, rate: 5, latencyMs: 200 },
        { from: 30, to: 40, rate: 20, errorShare: 1, errorClass: 'refused', latencyMs: 200 },
        { from: 40, to: 60, rate: 5, latencyMs: 200 },
        { from: 60, to: 70, rate: 10, errorShare: 1, errorClass: 'http5xx', latencyMs: 200, errorLatencyMs: 5 },
        { from: 70, to: 120, rate: 5, latencyMs: 200 },
      ],
      events: [
        { t: 30, kind: 'exit', subject: 'gateway', detail: 'exited with code 2' },
        { t: 40, kind: 'ready', subject: 'gateway', detail: 'readiness passed' },
        { t: 60, kind: 'not-ready', subject: 'compute-average-0', detail: 'readiness timed out' },
        { t: 70, kind: 'ready', subject: 'compute-average-0', detail: 'readiness passed' },
      ],
    });
    expect(b.counts).toMatchObject({ crash: 200, probe: 100, rejection: 0, deadline: 0 });
    expect(b.outageUnits).toEqual({ crash: ['gateway'], probe: ['compute-average-0'] });
    expect(b.main).toBe('crash');
    expect(text).toMatch(/a crash: 67 % ended while gateway was down; a probe: 33 % ended while compute-average-0 failed its probes/);
  });

  it('gives an overlap of two timers to the longer one', () => {
    const { b } = breakdownOf(
      { seconds: 60, phases: [{ from: 0, to: 60, rate: 1, errorShare: 1, errorClass: 'http5xx', latencyMs: 100, errorLatencyMs: 14_000 }] },
      (p) => {
        p.manifest = { ...p.manifest, timeouts: { clientMs: 20_000, systems: { openfaas: { deadlineMs: 10_000, deadlineBy: 'exec_timeout', callMs: 10_000, callBy: 'step', others: { read_timeout: 15_000 } } } } };
      },
    );
    expect(b.timers.map((t) => [t.name, t.count])).toEqual([
      ['read_timeout', 60],
      ['deadline', 0],
    ]);
    expect(b.counts.deadline).toBe(60);
  });

  it('names every timer the error answers came at, the most frequent first', () => {
    const { text } = breakdownOf(
      {
        seconds: 60,
        phases: [
          { from: 0, to: 40, rate: 1, errorShare: 1, errorClass: 'http5xx', latencyMs: 100, errorLatencyMs: 10_200 },
          { from: 40, to: 60, rate: 1, errorShare: 1, errorClass: 'http5xx', latencyMs: 100, errorLatencyMs: 16_000 },
        ],
      },
      (p) => {
        p.manifest = { ...p.manifest, timeouts: { clientMs: 20_000, systems: { openfaas: { deadlineMs: 10_000, deadlineBy: 'exec_timeout', callMs: 10_000, callBy: 'step', others: { read_timeout: 15_000 } } } } };
      },
    );
    expect(text).toBe('60 failures (http5xx 60), by mechanism: a deadline: 100 % error answers at about the 10 s deadline (exec_timeout), 20 at the 15 s read_timeout');
  });

  it('says when the manifest records no timers, and cannot tell a deadline from a rejection then', () => {
    const { b, text } = breakdownOf(
      { seconds: 60, phases: [{ from: 0, to: 60, rate: 1, errorShare: 1, errorClass: 'http5xx', latencyMs: 100, errorLatencyMs: 10_500 }] },
      (p) => {
        const { timeouts: _dropped, ...rest } = p.manifest;
        p.manifest = rest;
      },
    );
    expect(b).toMatchObject({ timersKnown: false, counts: { deadline: 0, rejection: 60 } });
    expect(text).toMatch(/the manifest records no system timers/);
  });
});
