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

  // Audit of b2bbc21, item 4: hey is the agent's child; only the agent's own CPU was judged, so
  // on loopback (no quota group) a saturated hey was never flagged; and hey runs on every core
  // it may use, so "90 % of one core" is the wrong test for it.
  it("judges hey, the agent's child, against the cores it may use", () => {
    const loopback = (t: number, heyCpu: number, cores: number): ClientSample => ({ t, cpu: 0.05, loopDelayP99Ms: 1, loopDelayMaxMs: 2, children: { cpu: heyCpu, cores, processes: 1, threads: 9 } });
    const busy = clientLimited(Array.from({ length: 10 }, (_, t) => loopback(t, 1.85, 2)));
    expect(busy).toMatchObject({ limited: true, saturatedSeconds: 10 });
    expect(busy.reason).toMatch(/no CPU quota found; .* its child processes at ≥ 90 % of the 2 cores they may use in 10 s/);
    // At one core of two, hey has room: not the bottleneck (a test against one core would have fired).
    expect(clientLimited(Array.from({ length: 10 }, (_, t) => loopback(t, 1.0, 2)))).toMatchObject({ limited: false, saturatedSeconds: 0 });
    // Pinned to one core (taskset), the same 0.95 is saturation.
    expect(clientLimited(Array.from({ length: 10 }, (_, t) => loopback(t, 0.95, 1))).limited).toBe(true);
  });

  // Audit 14, minor: a fogbench-http run on fog (one idle child in the agent's samples, from the
  // client pod) was said to be limited by "its child processes (hey) ... in 0 s".
  it('names child processes only when some sample shows them using CPU', () => {
    const idleChild = (t: number): ClientSample => ({ ...idle(t), loopDelayP99Ms: 74, children: { cpu: 0, cores: 2, processes: 1, threads: 1 } });
    const noHey = clientLimited(Array.from({ length: 5 }, (_, t) => idleChild(t)));
    expect(noHey).toMatchObject({ limited: true, saturatedSeconds: 5 });
    expect(noHey.reason).toMatch(/event-loop delay p99 > 50 ms in 5 s/);
    expect(noHey.reason).not.toMatch(/child|hey/);
    // hey at work: named, with the cores it may use, even in seconds it was not saturated.
    const hey = clientLimited(Array.from({ length: 5 }, (_, t) => ({ ...idleChild(t), children: { cpu: 0.4, cores: 2, processes: 1, threads: 9 } })));
    expect(hey.reason).toMatch(/its child processes at ≥ 90 % of the 2 cores they may use in 0 s/);
  });

  it('passes an idle generator, with no reason', () => {
    expect(clientLimited(Array.from({ length: 5 }, (_, t) => idle(t)))).toEqual({ limited: false, reason: null, saturatedSeconds: 0 });
    expect(clientLimited([])).toEqual({ limited: false, reason: null, saturatedSeconds: 0 });
  });
});
