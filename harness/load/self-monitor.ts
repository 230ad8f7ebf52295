/**
 * The load generator watching itself: each second, its process's CPU, its event-loop delay,
 * and, where it runs under a CPU quota (the fog client node), the whole quota group's CPU and
 * how often the kernel throttled it. A generator that is short of CPU sends late and measures
 * late, so its figures describe the client, not the system; such a run is flagged
 * "client-limited" (metrics/client-limited.ts).
 *
 * The event-loop delay is reported net of the monitor's own timer resolution: Node's histogram
 * records the whole interval between timer wake-ups, so an idle loop reads ~10 ms at a 10 ms
 * resolution. The last, partial second is sampled too, when the monitor stops.
 *
 * A driver may do its work in a child process (--driver hey runs hey): the agent's own CPU does
 * not show it, so the children's CPU is sampled too, from /proc (each live child's
 * /proc/<pid>/stat, which sums all its threads, and the agent's own cutime/cstime for children
 * that ended), with the cores they may use (their CPU affinity: hey runs GOMAXPROCS = every CPU
 * it may use). On fog the client node's quota group covers hey as well.
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ClientSample } from '../results/schema.ts';
import { findQuotaGroup, quotaBetween, readQuota, type QuotaGroup, type QuotaReading } from './cgroup-quota.ts';
import { every } from '../timers.ts';

export const LOOP_RESOLUTION_MS = 10;

/** A last sample shorter than this says too little to keep. */
const MIN_LAST_SAMPLE_MS = 100;

export function startSelfMonitor(options: { quota?: QuotaGroup | null; intervalMs?: number; children?: boolean } = {}): { stop(): ClientSample[] } {
  const samples: ClientSample[] = [];
  const quota = options.quota === undefined ? findQuotaGroup() : options.quota;
  const delay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  delay.enable();
  const started = performance.now();
  let cpu = process.cpuUsage();
  let last = started;
  let lastQuota: QuotaReading | undefined = readQuota(quota);
  const watchChildren = options.children ?? process.platform === 'linux';
  let lastChildren = watchChildren ? readChildren() : undefined;
  const net = (ns: number) => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS);

  const sample = () => {
    const now = performance.now();
    const elapsedMs = now - last;
    const used = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    const reading = readQuota(quota);
    const s: ClientSample = {
      t: Math.round(((last - started) / 1000) * 1000) / 1000,
      seconds: Math.round(elapsedMs) / 1000,
      cpu: (used.user + used.system) / 1000 / elapsedMs,
      loopDelayP99Ms: delay.count > 0 ? net(delay.percentile(99)) : 0,
      loopDelayMaxMs: delay.count > 0 ? net(delay.max) : 0,
    };
    if (quota && reading && lastQuota) s.quota = quotaBetween(quota, lastQuota, reading, elapsedMs);
    const children = watchChildren ? readChildren() : undefined;
    if (children && lastChildren && (children.live > 0 || children.cpuMs > lastChildren.cpuMs)) {
      s.children = {
        cpu: Math.max(0, children.cpuMs - lastChildren.cpuMs) / elapsedMs,
        cores: children.cores ?? lastChildren.cores ?? os.availableParallelism(),
        processes: children.live,
        threads: children.threads,
      };
    }
    if (children) lastChildren = { ...children, cores: children.cores ?? lastChildren?.cores };
    samples.push(s);
    lastQuota = reading;
    last = now;
    delay.reset();
  };
  const timer = every(options.intervalMs ?? 1_000, sample);
  let stopped = false;
  return {
    stop() {
      if (!stopped) {
        stopped = true;
        clearInterval(timer);
        if (performance.now() - last >= MIN_LAST_SAMPLE_MS) sample();
        delay.disable();
      }
      return samples;
    },
  };
}


/** USER_HZ: the unit of /proc times, 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_S = 100;

export interface ChildrenReading {
  /** CPU used so far by the children of `pid`: those alive (with their own ended children) and those ended. */
  cpuMs: number;
  live: number;
  threads: number;
  /** The most cores any live child may use (its CPU affinity), when one is alive. */
  cores?: number;
}

/** The fields of /proc/<pid>/stat after the command (which may hold spaces and parentheses): [0] is field 3, state. */
function statFields(pid: number | 'self'): string[] {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}
const field = (fields: string[], n: number) => Number(fields[n - 3]);

/** The CPU of `pid`'s child processes, from /proc; undefined where /proc cannot be read. */
export function readChildren(pid: number = process.pid): ChildrenReading | undefined {
  try {
    const self = statFields(pid === process.pid ? 'self' : pid);
    // (16) cutime, (17) cstime: children that ended and were waited for.
    let ticks = field(self, 16) + field(self, 17);
    let live = 0;
    let threads = 0;
    let cores: number | undefined;
    for (const child of childPids(pid)) {
      try {
        const f = statFields(child);
        // (14) utime, (15) stime of all its threads; (16), (17) its own ended children; (20) threads.
        ticks += field(f, 14) + field(f, 15) + field(f, 16) + field(f, 17);
        threads += field(f, 20);
        live++;
        const allowed = cpusAllowed(child);
        if (allowed !== undefined) cores = Math.max(cores ?? 0, allowed);
      } catch {
        // It ended between the listing and the read: its time is in cutime at the next reading.
      }
    }
    return { cpuMs: (ticks * 1000) / CLOCK_TICKS_PER_S, live, threads, ...(cores !== undefined ? { cores } : {}) };
  } catch {
    return undefined;
  }
}

/** The children of `pid`: from /proc/<pid>/task/<tid>/children, or by a scan of /proc where the kernel has no such file. */
function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) => readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
  } catch {
    const out: number[] = [];
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        if (field(statFields(Number(name)), 4) === pid) out.push(Number(name));
      } catch {
        // gone
      }
    }
    return out;
  }
}

/** How many CPUs a process may run on (Cpus_allowed_list, e.g. "0-1,4"). */
function cpusAllowed(pid: number): number | undefined {
  const line = /^Cpus_allowed_list:\s*(.+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (!line) return undefined;
  return line.split(',').reduce((n, part) => {
    const [a, b] = part.split('-').map(Number);
    return n + (b === undefined ? 1 : b - a! + 1);
  }, 0);
}
