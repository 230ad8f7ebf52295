/** The faults side by side (comparison.ts): what the terminal line says of each fault and profile. */
import { describe, expect, it } from 'vitest';
import { attachFaults } from '../../harness/bench/fault-schedule.ts';
import { faultRows, faultSummaryLines } from '../../harness/faults/comparison.ts';
import { parseFault } from '../../harness/faults/spec.ts';
import type { ProfileResult, TimelineBucket } from '../../harness/results/schema.ts';

describe('fault comparison', () => {
  // Issue 25, finding 3: a fault too early for a baseline printed "0 failed (none)" beside a
  // profile of 99 % errors.
  it('issue 25 #3: says recovery cannot be measured, and why, with no figures, when there is no baseline', () => {
    const timeline: TimelineBucket[] = Array.from({ length: 20 }, (_, t) => ({ t, completed: 100, ok: 1, errors: { http5xx: 99 }, p50: 5, p99: 9, mean: 6 }));
    const result = { system: 'openfaas', workers: 5, timeline, durationSeconds: 20, events: [] } as unknown as ProfileResult;
    attachFaults(result, {
      epochMs: Date.parse('2026-01-01T00:00:00Z'),
      outcomes: [{ fault: parseFault('kill:gateway@1s'), status: 'applied', detail: 'SIGKILL', targets: [], startedAt: 1, endedAt: 1, reverted: null, endedBy: 'instant' }],
    });
    const [line] = faultSummaryLines([result]);
    console.log(line);
    expect(line).toBe('kill:gateway@1s · openfaas w5: recovery cannot be measured: fewer than 3 whole seconds before the first fault (at 1 s) to take a baseline from');
    expect(faultRows([result])[0]).toMatchObject({ outcome: 'unmeasurable', failed: null, okShortfall: null, lostSeconds: null, errorClasses: '' });
    expect(result.faults![0]!.recovery).toMatchObject({ status: 'unmeasurable', failed: null, okShortfall: null });
  });
});
