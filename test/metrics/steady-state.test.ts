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

  // Issue 14 audit: an open loop completes what its schedule sends whatever happens, so counts
  // alone called a system whose latency climbed from 100 ms to 3 s steady.
  it('sees an open loop falling behind in its latency when its throughput is flat', () => {
    const climbing = Array.from({ length: 30 }, (_, t) => ({ t, completed: 80, ok: 80, errors: {}, p50: 100 + t * 100, p99: null, mean: 100 + t * 100 }));
    const s = steadyState(climbing);
    expect(s.steady).toBe(false);
    expect(s.driftPercent).toBe(0);
    expect(s.latencyDriftPercent).toBeGreaterThan(100);
    expect(s.note).toMatch(/latency climbing/);
  });

  it('sees a dip in the middle that the first and last thirds hide', () => {
    const s = steadyState(timeline([200, 200, 200, 200, 40, 40, 40, 40, 200, 200, 200, 200]));
    expect(s.steady).toBe(false);
    expect(s.note).toMatch(/dipped in the middle/);
  });

  it('keeps a flat profile with a steady latency steady', () => {
    const flat = Array.from({ length: 30 }, (_, t) => ({ t, completed: 150 + (t % 3), ok: 150, errors: {}, p50: 6, p99: null, mean: 6.5 + (t % 2) * 0.8 }));
    expect(steadyState(flat)).toMatchObject({ steady: true });
  });

  // Ctrl-C in this session's fresh-clone check: a profile stopped 0.4 s into its 15th second
  // was called "falling" by that second's few responses.
  it('leaves out the partial last second of an interrupted window', () => {
    const counts = [190, 195, 200, 198, 192, 196, 201, 199, 194, 197, 200, 196, 198, 195, 10];
    expect(steadyState(timeline(counts)).steady).toBe(false);
    expect(steadyState(timeline(counts), 14.4)).toMatchObject({ steady: true });
  });
});
