import { describe, expect, it } from 'vitest';
import { analyseRecovery, baselineOf, HOLD_SECONDS, isHealthyRun, median, secondHolds, wholeSeconds } from '../../harness/faults/recovery.ts';
import type { TimelineBucket } from '../../harness/results/schema.ts';

/** A timeline from per-second [completed, errors] pairs (errors as http5xx unless a class is given). */
function timeline(seconds: ([number, number] | [number, number, string])[]): TimelineBucket[] {
  return seconds.map(([completed, errors, cls], t) => ({
    t,
    completed,
    ok: completed - errors,
    errors: errors ? { [cls ?? 'http5xx']: errors } : {},
    p50: null,
    p99: null,
    mean: null,
  }));
}
const steady = (n: number, value = 100): [number, number][] => Array.from({ length: n }, () => [value, 0]);

describe('recovery analysis', () => {
  it('takes the baseline as the median of the whole seconds before the first fault', () => {
    const seconds = wholeSeconds(timeline([[50, 0], [100, 0], [104, 0], [98, 0], [0, 0]]), 4.6);
    expect(seconds).toHaveLength(4); // the partial last second is left out
    expect(baselineOf(seconds, 4.2)).toEqual({ seconds: 4, throughput: 99, ok: 99 });
    expect(baselineOf(seconds, 2.9)).toBeNull(); // fewer than 3 seconds
    expect(median([3, 1, 2])).toBe(2);
  });

  it('holds a second under 1 % errors and with at least half the baseline; a run averages at most 10 % under it over every 5 s', () => {
    const baseline = { seconds: 10, throughput: 100, ok: 100 };
    const bucket = (completed: number, errors: number) => timeline([[completed, errors]])[0]!;
    expect(secondHolds(bucket(100, 0), baseline)).toBe(true);
    expect(secondHolds(bucket(110, 1), baseline)).toBe(true); // 0.9 % errors
    expect(secondHolds(bucket(100, 1), baseline)).toBe(false); // exactly 1 %
    expect(secondHolds(bucket(50, 0), baseline)).toBe(true);
    expect(secondHolds(bucket(49, 0), baseline)).toBe(false);
    expect(secondHolds(bucket(0, 0), baseline)).toBe(false);
    // Per-second noise of ±25 % around the baseline is a healthy run; a mean 11 % under it is not, 50 % over it is.
    expect(isHealthyRun(timeline([[80, 0], [125, 0], [95, 0], [120, 0], [85, 0]]), 0, 5, baseline)).toBe(true);
    expect(isHealthyRun(timeline([[89, 0], [89, 0], [89, 0], [89, 0], [89, 0]]), 0, 5, baseline)).toBe(false);
    expect(isHealthyRun(timeline([[90, 0], [90, 0], [90, 0], [90, 0], [90, 0]]), 0, 5, baseline)).toBe(true);
    expect(isHealthyRun(timeline([[150, 0], [150, 0], [150, 0], [150, 0], [150, 0]]), 0, 5, baseline)).toBe(true);
    // Each 5 s window of a longer run counts, and a run needs 5 s inside the timeline.
    expect(isHealthyRun(timeline([[100, 0], [100, 0], [100, 0], [100, 0], [100, 0], [60, 0], [60, 0]]), 0, 7, baseline)).toBe(false);
    expect(isHealthyRun(timeline(steady(4)), 0, 5, baseline)).toBe(false);
  });

  it('recovers at the first second of HOLD_SECONDS healthy ones, and counts what was lost until then', () => {
    // 10 good seconds, a kill at 10.4 s: 3 s of errors, 2 s slow, one good second, one with errors, then good.
    const t = timeline([...steady(10), [60, 40, 'envelope'], [10, 10, 'refused'], [0, 0], [40, 0], [80, 0], [100, 0], [100, 5], ...steady(10)]);
    const r = analyseRecovery(t, t.length, { start: 10.4, end: 10.4 }, 10.4);
    expect(r.status).toBe('recovered');
    expect(r.recoveredAt).toBe(17);
    expect(r.secondsToRecover).toBe(6.6);
    expect(r.disrupted).toEqual({ from: 10, to: 17 });
    expect(r.failed).toBe(55);
    expect(r.errors).toEqual({ envelope: 40, refused: 10, http5xx: 5 });
    // ok short of 100/s: 80 + 100 + 100 + 60 + 20 + 0 + 5
    expect(r.okShortfall).toBe(365);
    expect(r.secondsAfterEnd).toBe(6.6);
    expect(r.baseline).toEqual({ seconds: 10, throughput: 100, ok: 100 });
  });

  it('never calls a fault recovered while it still acts and hurts: healthy seconds must run to its end', () => {
    // A squeeze from 10 to 20 s that hurts only from 16 s: healthy 10-15 is not a recovery.
    const t = timeline([...steady(10), ...steady(6), [40, 0], [40, 0], [40, 0], [40, 0], ...steady(10)]);
    const r = analyseRecovery(t, t.length, { start: 10, end: 20 }, 10);
    expect(r.recoveredAt).toBe(20);
    expect(r.secondsToRecover).toBe(10);
    expect(r.secondsAfterEnd).toBe(0);
    // A fault with no effect at all recovers at once.
    const none = analyseRecovery(timeline(steady(30)), 30, { start: 10, end: 15 }, 10);
    expect(none).toMatchObject({ status: 'recovered', recoveredAt: 10, secondsToRecover: 0, failed: 0, okShortfall: 0 });
  });

  it('reports "not recovered within the profile" when no healthy run fits, with what was lost to the end', () => {
    const t = timeline([...steady(10), ...Array.from({ length: 8 }, (): [number, number] => [20, 20]), ...steady(HOLD_SECONDS - 1)]);
    const r = analyseRecovery(t, t.length, { start: 10, end: 10 }, 10);
    expect(r.status).toBe('not-recovered');
    expect(r.reason).toMatch(/not recovered within the profile/);
    expect(r.recoveredAt).toBeNull();
    expect(r.secondsToRecover).toBeNull();
    expect(r.disrupted).toEqual({ from: 10, to: t.length });
    expect(r.failed).toBe(160);
    // A fault still acting at the end says so.
    const late = analyseRecovery(timeline(steady(30)), 30, { start: 20, end: 31 }, 20);
    expect(late).toMatchObject({ status: 'not-recovered', reason: 'the fault lasted to the end of the profile' });
  });

  it('is unmeasurable without a fault-free baseline, and names faults that overlap a disruption', () => {
    const early = analyseRecovery(timeline(steady(30)), 30, { start: 2, end: 2 }, 2);
    expect(early.status).toBe('unmeasurable');
    expect(early.reason).toMatch(/fewer than 3 whole seconds before the first fault/);
    const t = timeline([...steady(10), [0, 0], [0, 0], [0, 0], [0, 0], ...steady(10)]);
    const a = { start: 10, end: 10, label: 'kill:a@10s' };
    const b = { start: 12, end: 13, label: 'cpu:w=0.1@12s+1s' };
    const r = analyseRecovery(t, t.length, a, 10, [a, b]);
    expect(r.overlappedBy).toEqual(['cpu:w=0.1@12s+1s']);
  });
});
