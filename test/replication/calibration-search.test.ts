/** The calibration's bisection: it converges on a monotone latency curve, and says when the target cannot be reached. */
import { describe, expect, it } from 'vitest';
import { nextProbe, type Probe, type SearchSettings } from '../../harness/replication/calibration-search.ts';

const settings: SearchSettings = { minReadings: 1, maxReadings: 30_000, targetS: 0.49, tolerance: 0.05 };

/** Runs the search against a latency curve, as the calibrate command runs it against real runs. */
function search(latency: (readings: number) => number, s = settings, failsAbove = Infinity, maxSteps = 30) {
  const history: Probe[] = [];
  for (let i = 0; i < maxSteps; i++) {
    const step = nextProbe(history, s);
    if (step.done) return { step, history };
    history.push({ readings: step.readings, meanLatencyS: latency(step.readings), failed: step.readings > failsAbove });
  }
  throw new Error('did not finish');
}

describe('nextProbe', () => {
  it('starts at the largest size the systems accept', () => {
    expect(nextProbe([], settings)).toEqual({ done: false, readings: 30_000 });
  });

  it('converges within the tolerance on a monotone curve, in few steps', () => {
    // 20 ms fixed plus 40 µs per reading: 0.49 s at 11,750 readings.
    const { step, history } = search((n) => 0.02 + 0.00004 * n);
    expect(step.done && step.best).toBeTruthy();
    if (!step.done || !step.best) return;
    expect(Math.abs(step.best.meanLatencyS - 0.49)).toBeLessThanOrEqual(0.05 * 0.49);
    expect(step.best.readings).toBeGreaterThan(11_000);
    expect(step.best.readings).toBeLessThan(12_500);
    expect(history.length).toBeLessThanOrEqual(12);
  });

  it('says the target is unreachable when even the largest request stays below it, and picks nothing', () => {
    const { step, history } = search(() => 0.2);
    expect(history).toHaveLength(1);
    expect(step).toEqual({ done: true, best: null, reason: expect.stringMatching(/largest request tried \(30000 readings\) reaches only 0\.200 s, below the target 0\.49 s/) });
  });

  it('treats failing sizes as too large and searches below them', () => {
    const { step, history } = search((n) => 0.00004 * n, settings, 15_000);
    expect(history[0]).toMatchObject({ readings: 30_000, failed: true });
    expect(step.done && step.best && step.best.readings).toBeLessThan(15_000);
  });

  it('stops at adjacent sizes with the closest when the curve jumps over the target', () => {
    const { step } = search((n) => (n >= 1_000 ? 0.9 : 0.1));
    expect(step).toMatchObject({ done: true, best: { meanLatencyS: 0.1 }, reason: expect.stringMatching(/adjacent/) });
  });
});
