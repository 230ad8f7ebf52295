import { describe, expect, it } from 'vitest';
import { EPISODE_RULES, errorEpisodes, windowShare } from '../../harness/replication/error-episodes.ts';
import type { TimelineBucket } from '../../harness/results/schema.ts';

/** A timeline from stretches of [seconds, requests ending per second, of which failed]. */
function timeline(...stretches: [number, number, number][]): TimelineBucket[] {
  const out: TimelineBucket[] = [];
  for (const [seconds, completed, failed] of stretches) {
    for (let i = 0; i < seconds; i++) {
      out.push({ t: out.length, completed, ok: completed - failed, errors: failed ? { http5xx: failed } : {}, p50: null, p99: null, mean: null });
    }
  }
  return out;
}

describe('error episodes', () => {
  it('finds no onset in a healthy profile', () => {
    const e = errorEpisodes(timeline([120, 5, 0]));
    expect(e).toEqual({ seconds: 120, judged: true, onset: null, fromStart: false, failingUntil: null, recovery: null });
  });

  it('finds a collapse at 90 s that never lets go', () => {
    const e = errorEpisodes(timeline([90, 5, 0], [510, 8, 8]));
    expect(e).toMatchObject({ onset: 90, fromStart: false, failingUntil: null, recovery: null });
  });

  it('puts the onset on the first failing second, not on a window that already leans to errors', () => {
    // Windows starting at 85..89 are mostly errors by count (8 failing per second against 5 ok):
    // the onset is still the first second that failed itself.
    const e = errorEpisodes(timeline([90, 5, 0], [100, 8, 8]));
    expect(windowShare(timeline([90, 5, 0], [100, 8, 8]), 85, 95)).toBeGreaterThan(0.5);
    expect(e.onset).toBe(90);
  });

  it('finds the recovery when errors fall to 10 % or less for 30 s', () => {
    const e = errorEpisodes(timeline([90, 5, 0], [110, 8, 8], [100, 10, 1]));
    expect(e).toMatchObject({ onset: 90, failingUntil: 200, recovery: 200 });
  });

  it('tells errors falling under half from a recovery', () => {
    // 30 % errors after 150 s: no longer failing, not working either.
    const e = errorEpisodes(timeline([60, 5, 0], [90, 10, 9], [100, 10, 3]));
    expect(e).toMatchObject({ onset: 60, failingUntil: 150, recovery: null });
  });

  it('does not call a 20 s burst of errors an onset', () => {
    const e = errorEpisodes(timeline([60, 5, 0], [20, 5, 5], [60, 5, 0]));
    expect(e.onset).toBeNull();
  });

  it('sees a rejection from the start, and where it ends', () => {
    // The paper's p2p at 50 workers: everything rejected for 40 s, then 20 % overflow (no recovery: above 10 %).
    const e = errorEpisodes(timeline([40, 20, 20], [200, 10, 2]));
    expect(e).toMatchObject({ onset: 0, fromStart: true, failingUntil: 40, recovery: null });
  });

  it('counts seconds in which nothing ended as failing, and starts the onset at the first failed answer', () => {
    // Every request hangs until the client gives up 20 s later: nothing for 20 s, then timeouts.
    const e = errorEpisodes(timeline([20, 0, 0], [100, 1, 1]));
    expect(e).toMatchObject({ onset: 20, fromStart: true, failingUntil: null });
    expect(windowShare(timeline([20, 0, 0]), 0, 10)).toBe(1);
  });

  it('judges nothing on a window shorter than the sustained stretch', () => {
    const e = errorEpisodes(timeline([EPISODE_RULES.sustainS - 1, 5, 5]));
    expect(e).toMatchObject({ judged: false, onset: null });
  });
});
