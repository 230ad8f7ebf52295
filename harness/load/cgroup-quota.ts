/**
 * The CPU quota the load generator runs under, read by the generator itself: the nearest cgroup
 * of this process (itself or an ancestor) that has a CPU quota. On the fog target that is the
 * client node (the agent's pod is a child group of it, hey a child process in the same pod), so
 * the judgement covers every process of the client. Reads cgroup v1 (cpu + cpuacct) and v2.
 *
 * A generator can be the bottleneck well below 100 % of a core: at its quota the kernel pauses
 * it for the rest of each scheduler period (throttling), which delays sends and stretches
 * measured latencies. The counters say so directly (nr_throttled, throttled time).
 */
import type { ClientSample } from '../results/schema.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface QuotaReading {
  /** Cumulative CPU time of the group, ns. */
  usageNs: number;
  /** Scheduler periods elapsed and those in which the group was throttled. */
  periods: number;
  throttled: number;
  /** Cumulative time throttled, ns. */
  throttledNs: number;
}

export interface QuotaGroup {
  /** The group's path, for the record (e.g. /fbab12/client). */
  group: string;
  /** The quota, as a fraction of one core. */
  cpus: number;
  read(): QuotaReading;
}

/** The group's counters now, or undefined when they cannot be read (the group went away). */
export function readQuota(quota: QuotaGroup | null): QuotaReading | undefined {
  try {
    return quota?.read();
  } catch {
    return undefined;
  }
}

/** What the group did between two readings `elapsedMs` apart, as a client sample records it. */
export function quotaBetween(quota: QuotaGroup, before: QuotaReading, after: QuotaReading, elapsedMs: number): NonNullable<ClientSample['quota']> {
  const periods = after.periods - before.periods;
  return {
    group: quota.group,
    cpus: quota.cpus,
    used: (after.usageNs - before.usageNs) / 1e6 / elapsedMs,
    throttledShare: periods > 0 ? (after.throttled - before.throttled) / periods : 0,
    throttledMs: (after.throttledNs - before.throttledNs) / 1e6,
  };
}

const read = (file: string): string => readFileSync(file, 'utf8');

function keyValues(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined) out[key] = Number(value);
  }
  return out;
}

/** `dir` and its ancestors up to (and including) `root`, deepest first. */
function upwards(root: string, relative: string): string[] {
  const dirs: string[] = [];
  let rel = relative;
  for (;;) {
    dirs.push(path.join(root, rel));
    if (rel === '/' || rel === '' || rel === '.') return dirs;
    rel = path.dirname(rel);
  }
}

/**
 * The nearest group with a CPU quota, or null (no cgroup quota: loopback on a plain host, or
 * cgroups unreadable). `procCgroup` and `mounts` are /proc/self/cgroup and /proc/self/mounts.
 */
export function findQuotaGroup(procCgroup = safe(() => read('/proc/self/cgroup')), mounts = safe(() => read('/proc/self/mounts'))): QuotaGroup | null {
  if (!procCgroup || !mounts) return null;
  const mountOf = (type: string, option?: string) =>
    mounts
      .split('\n')
      .map((l) => l.split(' '))
      .find(([, , t, options]) => t === type && (option === undefined || (options ?? '').split(',').includes(option)))?.[1];
  const lines = procCgroup.split('\n').map((l) => l.split(':'));
  // cgroup v1: the cpu controller's hierarchy (quota, throttling) and cpuacct's (usage).
  const cpuLine = lines.find(([, controllers]) => (controllers ?? '').split(',').includes('cpu'));
  const cpuMount = mountOf('cgroup', 'cpu');
  if (cpuLine && cpuMount) {
    const relative = cpuLine.slice(2).join(':');
    const acctLine = lines.find(([, controllers]) => (controllers ?? '').split(',').includes('cpuacct'));
    const acctMount = mountOf('cgroup', 'cpuacct');
    for (const dir of upwards(cpuMount, relative)) {
      const quota = Number(safe(() => read(path.join(dir, 'cpu.cfs_quota_us')).trim()) ?? -1);
      const period = Number(safe(() => read(path.join(dir, 'cpu.cfs_period_us')).trim()) ?? 0);
      if (!(quota > 0 && period > 0)) continue;
      const group = path.relative(cpuMount, dir) || '/';
      const acctDir = acctMount && acctLine ? path.join(acctMount, group === '/' ? '' : group) : dir;
      return v1Group(`/${group.replace(/^\//, '')}`, dir, acctDir, quota / period);
    }
    return null;
  }
  // cgroup v2: one hierarchy, "0::/path".
  const unifiedLine = lines.find(([id, controllers]) => id === '0' && controllers === '');
  const unified = mountOf('cgroup2');
  if (!unifiedLine || !unified) return null;
  for (const dir of upwards(unified, unifiedLine.slice(2).join(':'))) {
    const max = safe(() => read(path.join(dir, 'cpu.max')).trim().split(/\s+/));
    if (!max || max[0] === 'max') continue;
    const quota = Number(max[0]);
    const period = Number(max[1]);
    if (!(quota > 0 && period > 0)) continue;
    return v2Group(`/${path.relative(unified, dir)}`, dir, quota / period);
  }
  return null;
}

function v1Group(group: string, cpuDir: string, acctDir: string, cpus: number): QuotaGroup {
  return {
    group,
    cpus,
    read() {
      const stat = keyValues(read(path.join(cpuDir, 'cpu.stat')));
      return {
        usageNs: Number(read(path.join(acctDir, 'cpuacct.usage')).trim()),
        periods: stat.nr_periods ?? 0,
        throttled: stat.nr_throttled ?? 0,
        throttledNs: stat.throttled_time ?? 0,
      };
    },
  };
}

function v2Group(group: string, dir: string, cpus: number): QuotaGroup {
  return {
    group,
    cpus,
    read() {
      const stat = keyValues(read(path.join(dir, 'cpu.stat')));
      return {
        usageNs: (stat.usage_usec ?? 0) * 1000,
        periods: stat.nr_periods ?? 0,
        throttled: stat.nr_throttled ?? 0,
        throttledNs: (stat.throttled_usec ?? 0) * 1000,
      };
    },
  };
}

/**
 * The quota group at folders the caller knows (the fog target's client node, read from the
 * host), or null when it has no quota or cannot be read.
 */
export function quotaGroupAt(at: { version: 1 | 2; cpuDir: string; cpuacctDir: string }, name = at.cpuDir): QuotaGroup | null {
  if (at.version === 1) {
    const quota = Number(safe(() => read(path.join(at.cpuDir, 'cpu.cfs_quota_us')).trim()) ?? -1);
    const period = Number(safe(() => read(path.join(at.cpuDir, 'cpu.cfs_period_us')).trim()) ?? 0);
    return quota > 0 && period > 0 ? v1Group(name, at.cpuDir, at.cpuacctDir, quota / period) : null;
  }
  const max = safe(() => read(path.join(at.cpuDir, 'cpu.max')).trim().split(/\s+/));
  if (!max || max[0] === 'max' || !(Number(max[0]) > 0 && Number(max[1]) > 0)) return null;
  return v2Group(name, at.cpuDir, Number(max[0]) / Number(max[1]));
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
