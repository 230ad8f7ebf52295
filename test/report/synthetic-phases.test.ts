import { describe, expect, it } from 'vitest';
import { phasedRun } from '../../harness/report/synthetic-phases.ts';
import { manifestProblems, profileProblems } from '../../harness/results/validate.ts';

describe('synthetic profiles drawn to a script', () => {
  const { manifest, profiles } = phasedRun('phases', [
    {
      system: 'openfaas',
      workers: 10,
      seconds: 100,
      phases: [
        { from: 0, to: 40, rate: 2.5, latencyMs: 4000 },
        { from: 40, to: 100, rate: 10, errorShare: 0.19, errorClass: 'timeout', latencyMs: 1000 },
      ],
      events: [{ t: 50, kind: 'exit', subject: 'gateway', detail: 'exited' }],
      hopMs: [5, 7, 9],
    },
  ]);
  const p = profiles[0]!;

  it('are results the schema accepts', () => {
    expect(manifestProblems(JSON.parse(JSON.stringify(manifest)))).toEqual([]);
    expect(profileProblems(JSON.parse(JSON.stringify(p)))).toEqual([]);
    expect(manifest.timeouts?.systems.openfaas?.deadlineMs).toBe(10_000);
  });

  it('follow their phases, exactly, and add up', () => {
    expect(p.timeline.slice(0, 40).reduce((n, b) => n + b.completed, 0)).toBe(100);
    expect(p.requests).toBe(700);
    expect(p.errors.timeout).toBe(114); // 19 % of the 600 requests of the second phase
    expect(p.requests - p.ok).toBe(114);
    expect(p.timeline.reduce((n, b) => n + b.completed - b.ok, 0)).toBe(114);
    // Timeouts have no response: the latency is over the answered requests.
    expect(p.latency.count).toBe(586);
    expect(p.latencyWithTimeouts!.censored).toBe(114);
    expect(p.throughput).toBe(7);
    expect(p.events[0]).toMatchObject({ t: 50, at: '2026-01-01T00:00:50.000Z' });
    expect(p.hops.map((h) => [h.from, h.to, h.p50])).toEqual([
      ['get', 'filter-temperature', 5],
      ['filter-temperature', 'compute-average', 7],
      ['compute-average', 'display', 9],
    ]);
  });
});
