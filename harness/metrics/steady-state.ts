/**
 * Did a profile reach a steady state? The window is cut into thirds and two things are compared
 * between them:
 * - throughput (responses per second, from the timeline): the thirds may differ by at most 10 %
 *   of their mean, or by no more than counting noise explains (three standard deviations of a
 *   Poisson count, which matters at a few requests per second). Comparing every third, not only
 *   the first with the last, also catches a dip or a burst in the middle;
 * - mean latency (each third's responses weighted by their count): by at most 25 % of the
 *   lower one and 1 ms. In a closed loop latency moves with throughput, but in an open loop the
 *   throughput is the schedule's whatever happens, and a system falling behind shows only in
 *   its latency climbing (requests waiting longer and longer).
 * A system still warming up (JIT, caches, connection pools) climbs; one collapsing falls; both
 * are worth a reader's attention before the profile's means are compared. Under 6 seconds there
 * is too little to judge.
 */
import type { TimelineBucket } from '../results/schema.ts';

export const STEADY = { driftShare: 0.1, sigmas: 3, latencyShare: 0.25, latencyMinMs: 1, minSeconds: 6 } as const;

export interface SteadyVerdict {
  steady: boolean;
  /** Throughput of the last third against the first, in percent of their mean. */
  driftPercent: number | null;
  /** Mean latency of the last third against the first, in percent of the first. */
  latencyDriftPercent?: number | null;
  note: string;
}

interface Third {
  count: number;
  /** Mean latency of its responses (ms), or null when none carried one. */
  meanMs: number | null;
}

function third(buckets: readonly TimelineBucket[]): Third {
  let count = 0;
  let weighted = 0;
  let withLatency = 0;
  for (const b of buckets) {
    count += b.completed;
    if (b.mean !== null && b.completed > 0) {
      weighted += b.mean * b.completed;
      withLatency += b.completed;
    }
  }
  return { count, meanMs: withLatency > 0 ? weighted / withLatency : null };
}

const signed = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;

/**
 * `durationS`: the window's length; when it ends inside a second (a profile interrupted by
 * Ctrl-C), that last partial second is left out: its few responses would read as a fall.
 */
export function steadyState(all: readonly TimelineBucket[], durationS?: number): SteadyVerdict {
  const partialLast = durationS !== undefined && all.length > 0 && durationS < all.length - 0.1;
  const timeline = partialLast ? all.slice(0, -1) : all;
  const n = timeline.length;
  if (n < STEADY.minSeconds) return { steady: true, driftPercent: null, latencyDriftPercent: null, note: `too short to judge (${n} s)` };
  const size = Math.floor(n / 3);
  const thirds = [third(timeline.slice(0, size)), third(timeline.slice(size, n - size)), third(timeline.slice(n - size))] as const;
  // The middle third may be a second longer: compare rates, not counts.
  const seconds = [size, n - 2 * size, size];
  const rates = thirds.map((t, i) => t.count / seconds[i]!);
  const [first, middle, last] = thirds;
  const meanCount = (first.count + last.count) / 2;
  if (meanCount === 0) return { steady: true, driftPercent: null, latencyDriftPercent: null, note: 'no responses in the first and last thirds' };

  const meanRate = rates.reduce((s, r) => s + r, 0) / 3;
  const spread = (Math.max(...rates) - Math.min(...rates)) / meanRate;
  // Counting noise of the two most different thirds, as a share of the mean rate.
  const noise = (STEADY.sigmas * Math.sqrt((Math.max(...rates) + Math.min(...rates)) * size)) / (meanRate * size);
  const throughputSteady = spread <= Math.max(STEADY.driftShare, noise);
  const drift = (last.count - first.count) / meanCount;

  const latencyDrift = first.meanMs !== null && last.meanMs !== null && first.meanMs > 0 ? (last.meanMs - first.meanMs) / first.meanMs : null;
  const latencies = thirds.map((t) => t.meanMs).filter((m): m is number => m !== null);
  const low = Math.min(...latencies);
  const high = Math.max(...latencies);
  const latencySteady = latencies.length < 2 || high - low <= Math.max(STEADY.latencyShare * low, STEADY.latencyMinMs);

  const rate = (r: number) => r.toFixed(1);
  const ms = (m: number | null) => (m === null ? '–' : m.toFixed(1));
  const parts = [`${rate(rates[0]!)} req/s in the first ${size} s, ${rate(rates[1]!)} in the middle, ${rate(rates[2]!)} in the last ${size} s (${signed(drift)})`];
  parts.push(`mean latency ${ms(first.meanMs)} / ${ms(middle.meanMs)} / ${ms(last.meanMs)} ms${latencyDrift === null ? '' : ` (${signed(latencyDrift)})`}`);
  const why: string[] = [];
  if (!throughputSteady) {
    const dip = rates[1]! < Math.min(rates[0]!, rates[2]!) && Math.abs(drift) <= STEADY.driftShare;
    const burst = rates[1]! > Math.max(rates[0]!, rates[2]!) && Math.abs(drift) <= STEADY.driftShare;
    why.push(dip ? 'throughput dipped in the middle' : burst ? 'throughput burst in the middle' : drift > 0 ? 'throughput still climbing' : 'throughput falling');
  }
  if (!latencySteady) why.push(latencyDrift !== null && latencyDrift > 0 ? 'latency climbing' : 'latency moving');
  return {
    steady: throughputSteady && latencySteady,
    driftPercent: Math.round(drift * 1000) / 10,
    latencyDriftPercent: latencyDrift === null ? null : Math.round(latencyDrift * 1000) / 10,
    note: parts.join('; ') + (why.length ? `: ${why.join(', ')}` : ''),
  };
}
