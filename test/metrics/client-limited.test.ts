/** The client-limited verdict on samples (the real cgroup runs are in test/load/client-limited.test.ts). */
import { describe, expect, it } from 'vitest';
import { clientLimited } from '../../harness/metrics/client-limited.ts';
import type { ClientSample } from '../../harness/results/schema.ts';

const idle = (t: number): ClientSample => ({ t, cpu: 0.2, loopDelayP99Ms: 1, loopDelayMaxMs: 3, quota: { group: '/fb/client', cpus: 0.5, used: 0.2, throttledShare: 0, throttledMs: 0 } });

describe('clientLimited', () => {
  // Issue 14: the fog client node is capped at 0.5 of a core; a test of CPU > 0.9 of a core could never fire there.
  it('judges the generator against its own quota: at 0.48 of a 0.5 quota and throttled it is saturated', () => {
    const samples = Array.from({ length: 10 }, (_, t) => ({ ...idle(t), cpu: 0.48, quota: { group: '/fb/client', cpus: 0.5, used: 0.49, throttledShare: 0.4, throttledMs: 200 } }));
    const v = clientLimited(samples);
    expect(v.limited).toBe(true);
    expect(v.saturatedSeconds).toBe(10);
    expect(v.reason).toMatch(/\/fb\/client \(0\.50 CPU\) throttled .* in 10 s/);
  });

  // Issue 14: a 1-in-10 saturation was reported as nothing at all.
  it('counts a partial saturation (one second in ten) instead of reporting nothing', () => {
    const samples = Array.from({ length: 10 }, (_, t) => idle(t));
    samples[4] = { ...samples[4]!, loopDelayP99Ms: 80 };
    const v = clientLimited(samples);
    expect(v).toMatchObject({ limited: false, saturatedSeconds: 1 });
    expect(v.reason).toMatch(/partly saturated in 1 of 10 s/);
  });

  it('passes an idle generator, with no reason', () => {
    expect(clientLimited(Array.from({ length: 5 }, (_, t) => idle(t)))).toEqual({ limited: false, reason: null, saturatedSeconds: 0 });
    expect(clientLimited([])).toEqual({ limited: false, reason: null, saturatedSeconds: 0 });
  });
});
