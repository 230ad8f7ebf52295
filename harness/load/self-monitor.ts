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
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ClientSample } from '../results/schema.ts';
import { findQuotaGroup, type QuotaGroup, type QuotaReading } from './cgroup-quota.ts';

export const LOOP_RESOLUTION_MS = 10;

/** A last sample shorter than this says too little to keep. */
const MIN_LAST_SAMPLE_MS = 100;

export function startSelfMonitor(options: { quota?: QuotaGroup | null; intervalMs?: number } = {}): { stop(): ClientSample[] } {
  const samples: ClientSample[] = [];
  const quota = options.quota === undefined ? findQuotaGroup() : options.quota;
  const delay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  delay.enable();
  const started = performance.now();
  let cpu = process.cpuUsage();
  let last = started;
  let lastQuota: QuotaReading | undefined = readQuota(quota);
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
    if (quota && reading && lastQuota) {
      const periods = reading.periods - lastQuota.periods;
      s.quota = {
        group: quota.group,
        cpus: quota.cpus,
        used: (reading.usageNs - lastQuota.usageNs) / 1e6 / elapsedMs,
        throttledShare: periods > 0 ? (reading.throttled - lastQuota.throttled) / periods : 0,
        throttledMs: (reading.throttledNs - lastQuota.throttledNs) / 1e6,
      };
    }
    samples.push(s);
    lastQuota = reading;
    last = now;
    delay.reset();
  };
  const timer = setInterval(sample, options.intervalMs ?? 1_000);
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

function readQuota(quota: QuotaGroup | null): QuotaReading | undefined {
  try {
    return quota?.read();
  } catch {
    return undefined;
  }
}
