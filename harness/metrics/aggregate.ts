/**
 * Profiles repeated with --repeat, grouped per (system, workers) and summarised with
 * confidence intervals; and the two systems compared per worker count as ratios with
 * intervals (delta method on the ratio of two independent means).
 */
import type { ProfileResult } from '../results/schema.ts';
import { errorRateOf } from './error-rate.ts';
import { repeatedStat, tQuantile975, type Interval, type RepeatedStat } from './repetitions.ts';

/** Each figure of a run; null when the run has none (its repetitions are then over the others). */
export const AGGREGATED_METRICS = {
  throughput: (p: ProfileResult) => p.throughput,
  goodput: (p: ProfileResult) => p.goodput,
  errorRate: errorRateOf,
  'latency.mean': (p: ProfileResult) => p.latency.mean,
  'latency.p50': (p: ProfileResult) => p.latency.p50,
  'latency.p99': (p: ProfileResult) => p.latency.p99,
} as const satisfies Record<string, (p: ProfileResult) => number | null>;

export type AggregatedMetric = keyof typeof AGGREGATED_METRICS;

export interface ProfileGroup {
  system: string;
  workers: number;
  runs: ProfileResult[];
  stats: Record<AggregatedMetric, RepeatedStat>;
}

export function groupProfiles(profiles: readonly ProfileResult[]): ProfileGroup[] {
  const groups = new Map<string, ProfileResult[]>();
  for (const p of profiles) {
    if (p.interrupted) continue; // a shortened run would bias every interval
    const key = `${p.system}\u0000${p.workers}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  return [...groups.values()]
    .map((runs) => ({
      system: runs[0]!.system,
      workers: runs[0]!.workers,
      runs,
      stats: Object.fromEntries(
        Object.entries(AGGREGATED_METRICS).map(([name, read]) => [name, repeatedStat(runs.map(read).filter((v): v is number => v !== null))]),
      ) as Record<AggregatedMetric, RepeatedStat>,
    }))
    .sort((a, b) => a.system.localeCompare(b.system) || a.workers - b.workers);
}

export interface SystemRatio {
  workers: number;
  metric: AggregatedMetric;
  /** numerator / denominator, e.g. p2p over openfaas. */
  ratio: number;
  ci: Interval | null;
}

/** Ratio of two systems' means per worker count, with a 95 % interval when both repeated. */
export function compareSystems(groups: readonly ProfileGroup[], numerator: string, denominator: string, metrics: readonly AggregatedMetric[]): SystemRatio[] {
  const out: SystemRatio[] = [];
  for (const a of groups.filter((g) => g.system === numerator)) {
    const b = groups.find((g) => g.system === denominator && g.workers === a.workers);
    if (!b) continue;
    for (const metric of metrics) {
      const r = ratioOfMeans(a.stats[metric], b.stats[metric]);
      if (r) out.push({ workers: a.workers, metric, ...r });
    }
  }
  return out;
}

/**
 * x's mean over y's, with a 95 % interval (delta method, two independent means) when both have
 * at least two values; null when y's mean is 0.
 */
export function ratioOfMeans(x: RepeatedStat, y: RepeatedStat): { ratio: number; ci: Interval | null } | null {
  if (y.mean === 0) return null;
  const ratio = x.mean / y.mean;
  let ci: Interval | null = null;
  if (x.n > 1 && y.n > 1 && x.mean !== 0) {
    const relVar = x.stdev ** 2 / (x.n * x.mean ** 2) + y.stdev ** 2 / (y.n * y.mean ** 2);
    const half = tQuantile975(Math.min(x.n, y.n) - 1) * Math.abs(ratio) * Math.sqrt(relVar);
    ci = { lo: ratio - half, hi: ratio + half };
  }
  return { ratio, ci };
}
