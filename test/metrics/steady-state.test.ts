import { describe, expect, it } from 'vitest';
import { steadyState } from '../../harness/metrics/steady-state.ts';
import type { TimelineBucket } from '../../harness/results/schema.ts';

const timeline = (counts: number[]): TimelineBucket[] => counts.map((completed, t) => ({ t, completed, ok: completed, errors: {}, p50: null, p99: null, mean: null }));

describe('steadyState', () => {
  // Issue 14: the CI baseline's w1 profile climbed from 96 to 155 req/s inside its window, and nothing said so.
  it('says a profile that is still climbing has not reached a steady state', () => {
    const s = steadyState(timeline([96, 104, 112, 120, 128, 136, 142, 150, 155, 155]));
    expect(s.steady).toBe(false);
    expect(s.driftPercent).toBeGreaterThan(30);
    expect(s.note).toMatch(/still climbing/);
  });

  it('calls a flat profile steady, and small counts within counting noise steady too', () => {
    expect(steadyState(timeline([400, 410, 395, 402, 405, 398, 401, 399, 404])).steady).toBe(true);
    expect(steadyState(timeline([2, 1, 2, 2, 1, 2, 3, 2, 2, 3, 2, 3])).steady).toBe(true);
  });

  it('calls a collapse not steady, and a window too short to judge steady with a note', () => {
    expect(steadyState(timeline([300, 300, 300, 50, 10, 5, 5, 5, 5])).note).toMatch(/falling/);
    expect(steadyState(timeline([1, 2, 3]))).toMatchObject({ steady: true, driftPercent: null, note: expect.stringMatching(/too short/) });
  });
});
