/**
 * The load generator's quota group read from outside: on the fog target the agent runs in a pod
 * that cannot see cgroupfs (`ip netns exec` mounts a /sys of its own), so the harness reads the
 * client node's counters each second of the window and lays them beside the agent's own samples.
 */
import type { ClientSample } from '../results/schema.ts';
import { quotaBetween, readQuota, type QuotaGroup } from './cgroup-quota.ts';
import { every } from '../timers.ts';

export interface QuotaSample {
  /** Seconds from the window's start to the start of this sample. */
  t: number;
  seconds: number;
  quota: NonNullable<ClientSample['quota']>;
}

export function startQuotaSampler(group: QuotaGroup, intervalMs = 1_000): { stop(): QuotaSample[] } {
  const samples: QuotaSample[] = [];
  const started = performance.now();
  let last = { at: started, reading: readQuota(group) };
  const sample = () => {
    const now = performance.now();
    const reading = readQuota(group);
    const elapsedMs = now - last.at;
    if (reading && last.reading && elapsedMs > 0) {
      samples.push({
        t: Math.round(((last.at - started) / 1000) * 1000) / 1000,
        seconds: Math.round(elapsedMs) / 1000,
        quota: quotaBetween(group, last.reading, reading, elapsedMs),
      });
    }
    last = { at: now, reading };
  };
  const timer = every(intervalMs, sample);
  let stopped = false;
  return {
    stop() {
      if (!stopped) {
        stopped = true;
        clearInterval(timer);
        if (performance.now() - last.at >= 100) sample();
      }
      return samples;
    },
  };
}

/** The agent's samples, each given the quota reading of the same second where it has none of its own. */
export function withQuota(client: readonly ClientSample[], quota: readonly QuotaSample[]): ClientSample[] {
  return client.map((s) => {
    if (s.quota) return s;
    const match = quota.reduce<QuotaSample | undefined>((best, q) => (Math.abs(q.t - s.t) < 0.5 && (!best || Math.abs(q.t - s.t) < Math.abs(best.t - s.t)) ? q : best), undefined);
    return match ? { ...s, quota: match.quota } : s;
  });
}
