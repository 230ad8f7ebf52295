/** The load generator's self-monitoring, in this process. */
import { describe, expect, it } from 'vitest';
import { startSelfMonitor } from '../../harness/load/self-monitor.ts';
import { findQuotaGroup } from '../../harness/load/cgroup-quota.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('self-monitor', () => {
  // Issue 14: on 25c3c31 the last, partial second was never sampled, and the loop delay
  // included the monitor's own ~10 ms timer resolution (an idle loop read ~10 ms late).
  it('samples the last partial second too, and reports the loop delay net of its timer resolution', async () => {
    const monitor = startSelfMonitor({ quota: null });
    await sleep(1_600);
    const samples = monitor.stop();
    expect(samples).toHaveLength(2);
    expect(samples[1]!.seconds).toBeGreaterThan(0.4);
    expect(samples[1]!.seconds).toBeLessThan(0.9);
    // An idle loop: its delay beyond the 10 ms resolution is small (a busy shared machine adds a few ms).
    expect(samples[0]!.loopDelayP99Ms).toBeLessThan(8);
    expect(monitor.stop()).toBe(samples); // stopping twice changes nothing
  });

  it('reads the quota group of a cgroup v1 or v2 hierarchy from /proc files', () => {
    const mounts = 'cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0\ncgroup /sys/fs/cgroup/cpuacct cgroup rw,relatime,cpuacct 0 0\n';
    // No such group on this machine: nothing found, no throw.
    expect(findQuotaGroup('2:cpuacct:/nowhere-fbtest\n1:cpu:/nowhere-fbtest\n', mounts)).toBeNull();
    expect(findQuotaGroup('0::/nowhere-fbtest\n', 'cgroup2 /nowhere-fbtest-root cgroup2 rw 0 0\n')).toBeNull();
    expect(findQuotaGroup('', '')).toBeNull();
  });
});
