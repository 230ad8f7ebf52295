/**
 * Did a profile reach a steady state? Its throughput (responses per second, from the timeline)
 * in the window's first third against its last third: steady when they differ by at most 10 %
 * of their mean, or by no more than counting noise explains (three standard deviations of a
 * Poisson count, which matters at a few requests per second). A system still warming up (JIT,
 * caches, connection pools) climbs; one collapsing falls; both are worth a reader's attention
 * before the profile's means are compared. Under 6 seconds there is too little to judge.
 */
import type { TimelineBucket } from '../results/schema.ts';

export const STEADY = { driftShare: 0.1, sigmas: 3, minSeconds: 6 } as const;

export function steadyState(timeline: readonly TimelineBucket[]): { steady: boolean; driftPercent: number | null; note: string } {
  const n = timeline.length;
  if (n < STEADY.minSeconds) return { steady: true, driftPercent: null, note: `too short to judge (${n} s)` };
  const third = Math.floor(n / 3);
  const sum = (buckets: readonly TimelineBucket[]) => buckets.reduce((s, b) => s + b.completed, 0);
  const first = sum(timeline.slice(0, third));
  const last = sum(timeline.slice(n - third));
  const meanCount = (first + last) / 2;
  if (meanCount === 0) return { steady: true, driftPercent: null, note: 'no responses in the first and last thirds' };
  const drift = (last - first) / meanCount;
  const noise = (STEADY.sigmas * Math.sqrt(first + last)) / meanCount;
  const steady = Math.abs(drift) <= Math.max(STEADY.driftShare, noise);
  const rate = (count: number) => (count / third).toFixed(1);
  return {
    steady,
    driftPercent: Math.round(drift * 1000) / 10,
    note: `${rate(first)} req/s in the first ${third} s, ${rate(last)} in the last ${third} s (${drift >= 0 ? '+' : ''}${(drift * 100).toFixed(1)} %)${steady ? '' : drift > 0 ? ': still climbing' : ': falling'}`,
  };
}
