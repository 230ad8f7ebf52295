/**
 * What a profile cost the system: CPU-seconds spent by the system's own pods during exactly the
 * measured window, divided by successful requests, the figure to compare systems' efficiency.
 *
 * Only the system's pods count: not the load generator's, not the fog target's link-delay relays
 * (they emulate the network and would charge the system with more hops for it), not the nodes as
 * wholes, and not another system's idle pods (on kube the OpenFaaS control plane stays installed
 * while p2p runs).
 *
 * Each sample is a rate over an interval ending at its `t`: the target's `intervalS` when given
 * (metrics-server windows), else since the series' previous sample (the first one: the series'
 * usual spacing). Its CPU-seconds are the rate times the part of that interval inside the window
 * [0, duration]. Parts of the window no sample covers (a target that starts sampling a second
 * late, stops before the window's end, or misses a metrics-server scrape in between) take the
 * nearest samples' rates, and their length is reported (`extrapolatedSeconds`) so that a reader
 * sees what was estimated.
 */
import type { ResourceSample } from '../results/schema.ts';

export interface CostScope {
  /** Pods (units) of the system: fog and loopback samples name them in `unit`, or in `node` when there is no `unit`. */
  units?: readonly string[];
  /** Kube: the namespaces of the system's pods (samples are named "namespace/pod"). */
  namespaces?: readonly string[];
  /** What was counted, in words. */
  describe: string;
}

export interface SystemCost {
  cpuSeconds: number;
  cpuSecondsPerOk: number | null;
  nodes: string[];
  scope: string;
  extrapolatedSeconds: number;
}

/** The series a sample belongs to when it is one of the system's pods, or null. */
function seriesOf(s: ResourceSample, scope: CostScope, podLevel: boolean): string | null {
  if (s.container !== undefined) return null; // containers are parts of their pod's sample
  if (scope.namespaces) return scope.namespaces.some((ns) => s.node.startsWith(`${ns}/`)) ? s.node : null;
  if (podLevel) return s.unit !== undefined && (scope.units ?? []).includes(s.unit) ? s.unit : null;
  return (scope.units ?? []).includes(s.node) ? s.node : null;
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : NaN;
};

/** CPU-seconds of one series inside [0, durationS], and how much of the window was estimated. */
export function seriesCpuSeconds(samples: readonly ResourceSample[], durationS: number): { cpuSeconds: number; extrapolatedSeconds: number } {
  const sorted = [...samples].sort((a, b) => a.t - b.t);
  const spacing = median(sorted.slice(1).map((s, i) => s.t - sorted[i]!.t).filter((d) => d > 0));
  const intervals: { from: number; to: number; rate: number }[] = [];
  for (const [i, s] of sorted.entries()) {
    const length = s.intervalS ?? (i > 0 ? s.t - sorted[i - 1]!.t : Number.isFinite(spacing) ? spacing : 1);
    // Windows that overlap (a rate over 15 s reported every 10 s) share time: the later one
    // starts where the earlier ended, so no second is counted twice.
    const from = Math.max(s.t - Math.max(0, length), intervals.at(-1)?.to ?? -Infinity);
    if (s.t > from) intervals.push({ from, to: s.t, rate: s.cpu });
  }
  const inside = (from: number, to: number) => Math.max(0, Math.min(to, durationS) - Math.max(from, 0));
  let cpuSeconds = 0;
  for (const { from, to, rate } of intervals) cpuSeconds += rate * inside(from, to);
  // Parts of the window no sample covers (before the first, after the last, and between windows
  // that do not touch: a missed metrics-server scrape) take their neighbours' rates.
  let extrapolatedSeconds = 0;
  const estimate = (from: number, to: number, rate: number) => {
    const gap = inside(from, to);
    cpuSeconds += rate * gap;
    extrapolatedSeconds += gap;
  };
  const first = intervals[0];
  const last = intervals.at(-1);
  if (first) estimate(-Infinity, first.from, first.rate);
  for (let i = 1; i < intervals.length; i++) {
    const before = intervals[i - 1]!;
    const after = intervals[i]!;
    if (after.from > before.to) estimate(before.to, after.from, (before.rate + after.rate) / 2);
  }
  if (last) estimate(last.to, Infinity, last.rate);
  return { cpuSeconds, extrapolatedSeconds };
}

export function systemCost(samples: readonly ResourceSample[], ok: number, durationS: number, scope: CostScope): SystemCost {
  const podLevel = samples.some((s) => s.unit !== undefined);
  const bySeries = new Map<string, ResourceSample[]>();
  for (const s of samples) {
    const series = seriesOf(s, scope, podLevel);
    if (series !== null) bySeries.set(series, [...(bySeries.get(series) ?? []), s]);
  }
  let cpuSeconds = 0;
  let extrapolatedSeconds = 0;
  for (const series of bySeries.values()) {
    const one = seriesCpuSeconds(series, durationS);
    cpuSeconds += one.cpuSeconds;
    extrapolatedSeconds += one.extrapolatedSeconds;
  }
  return {
    cpuSeconds,
    cpuSecondsPerOk: ok > 0 && bySeries.size > 0 ? cpuSeconds / ok : null,
    nodes: [...bySeries.keys()].sort(),
    scope: scope.describe,
    extrapolatedSeconds: Math.round(extrapolatedSeconds * 1000) / 1000,
  };
}
