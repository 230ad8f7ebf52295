/**
 * How a system came back from a fault, from the profile's per-second timeline (pure).
 *
 * The definition, in full:
 *  - Only whole seconds of the measured window count (a last, partial second is left out).
 *  - **Baseline**: the median, over the whole seconds before the second in which the profile's
 *    first applied fault started, of the responses per second (any status) and of the successful
 *    ones. The same for every fault of the profile: the steady state before anything was broken.
 *    At least `MIN_BASELINE_SECONDS` seconds are needed, else recovery is "unmeasurable".
 *  - A second **holds** when it has responses, under 1 % of them are errors, and it has at least
 *    half the baseline's responses per second (a stall or a deep dip is never masked).
 *  - A **healthy run** from second r: `HOLD_SECONDS` (5) seconds, extended to the end of the fault
 *    (rounded up to a whole second) when it lasts longer, in which every second holds and every
 *    5 consecutive seconds have a mean responses/s no more than 10 % under the baseline.
 *    Two choices here, both because a recovered system's per-second counts are noisy:
 *    the mean over 5 s, not each second, is held to 10 % (per-second counts of a closed loop of a
 *    few workers on a shared host vary by 10-30 % on their own, so 5 seconds each within 10 %
 *    rarely happen even without a fault); and "within 10 %" is read as "no more than 10 % below":
 *    a system back from a fault may run faster than its first seconds did (its JIT warmed up,
 *    the host freed CPU), which is no effect of the fault.
 *  - **Recovered at** the first whole second r, from the second the fault started in, that starts
 *    a healthy run. A system is thus never called recovered while the fault still acts and hurts
 *    it, nor on one lucky second. When no healthy run fits in the window: "not recovered within
 *    the profile".
 *  - **Time to recover**: r minus the fault's start, and r minus its end (0 when it rode the
 *    fault out), to whole-second resolution. A fault with no measurable effect recovers in 0 s.
 *  - **Disrupted seconds**: from the second the fault started in to r (or to the window's end
 *    when not recovered). Over them: requests failed (every error class), their classes, and the
 *    successful responses short of the baseline (Σ max(0, baseline ok/s − ok/s)), which also
 *    counts the requests a stalled system held instead of failing.
 */
import type { ErrorCounts, FaultRecovery, TimelineBucket } from '../results/schema.ts';

/** Consecutive healthy seconds that make a recovery. */
export const HOLD_SECONDS = 5;
/** Error rate a healthy second stays under. */
export const MAX_ERROR_RATE = 0.01;
/** How far under the baseline throughput the mean of a healthy run's 5-second windows may be, as a fraction of it. */
export const THROUGHPUT_TOLERANCE = 0.1;
/** No second of a healthy run may have fewer responses than this fraction of the baseline. */
export const MIN_SECOND_FRACTION = 0.5;
/** Fault-free seconds needed before the first fault for a baseline. */
export const MIN_BASELINE_SECONDS = 3;

export const RECOVERY_DEFINITION =
  `recovered at the first second from which, for ${HOLD_SECONDS} s and at least until the fault ends, every second has under ${MAX_ERROR_RATE * 100} % errors ` +
  `and at least ${MIN_SECOND_FRACTION * 100} % of the baseline responses/s, and every ${HOLD_SECONDS} s average at most ${THROUGHPUT_TOLERANCE * 100} % under it ` +
  `(baseline: the median responses/s of the seconds before the first fault)`;

export interface Baseline {
  /** Whole seconds it is the median of. */
  seconds: number;
  /** Median responses per second (any status). */
  throughput: number;
  /** Median successful responses per second. */
  ok: number;
}

export interface FaultWindow {
  /** Seconds since the window opened. */
  start: number;
  /** When the fault stopped acting (reverted), or `start` for an instantaneous one. */
  end: number;
  /** Other faults, to name the ones that began while this one's disruption lasted. */
  label?: string;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const errorsOf = (bucket: TimelineBucket) => Object.values(bucket.errors).reduce<number>((a, b) => a + (b ?? 0), 0);

/** The buckets of whole seconds, indexed by second (missing seconds are empty buckets). */
export function wholeSeconds(timeline: readonly TimelineBucket[], durationSeconds: number): TimelineBucket[] {
  const count = Math.max(0, Math.floor(durationSeconds + 1e-9));
  const byT = new Map(timeline.map((b) => [Math.round(b.t), b]));
  return Array.from({ length: count }, (_, t) => byT.get(t) ?? { t, completed: 0, ok: 0, errors: {}, p50: null, p99: null, mean: null });
}

export function baselineOf(seconds: readonly TimelineBucket[], firstFaultStart: number): Baseline | null {
  const before = seconds.slice(0, Math.max(0, Math.floor(firstFaultStart)));
  if (before.length < MIN_BASELINE_SECONDS) return null;
  return { seconds: before.length, throughput: median(before.map((b) => b.completed)), ok: median(before.map((b) => b.ok)) };
}

/** One second of a healthy run: responses, under 1 % errors, at least half the baseline. */
export function secondHolds(bucket: TimelineBucket, baseline: Baseline): boolean {
  if (bucket.completed === 0) return false;
  if (errorsOf(bucket) / bucket.completed >= MAX_ERROR_RATE) return false;
  return bucket.completed >= MIN_SECOND_FRACTION * baseline.throughput;
}

/** Seconds [from, until) make a healthy run: each holds, each HOLD_SECONDS window averages at most the tolerance under the baseline. */
export function isHealthyRun(seconds: readonly TimelineBucket[], from: number, until: number, baseline: Baseline): boolean {
  if (until - from < HOLD_SECONDS || until > seconds.length) return false;
  for (let t = from; t < until; t++) if (!secondHolds(seconds[t]!, baseline)) return false;
  for (let t = from; t + HOLD_SECONDS <= until; t++) {
    let sum = 0;
    for (let u = t; u < t + HOLD_SECONDS; u++) sum += seconds[u]!.completed;
    if (sum / HOLD_SECONDS < (1 - THROUGHPUT_TOLERANCE) * baseline.throughput) return false;
  }
  return true;
}

/**
 * Recovery of one fault. `others` are the schedule's other faults: those starting inside this
 * one's disrupted seconds are named, since their effect is mixed into its figures.
 */
export function analyseRecovery(
  timeline: readonly TimelineBucket[],
  durationSeconds: number,
  fault: FaultWindow,
  firstFaultStart: number,
  others: readonly FaultWindow[] = [],
): FaultRecovery {
  const seconds = wholeSeconds(timeline, durationSeconds);
  const from = Math.max(0, Math.floor(fault.start));
  // Without a baseline there is no recovery to end the disrupted seconds: nothing is counted over
  // them (a "0 failed" beside a profile of errors would read as measured).
  const empty = { recoveredAt: null, secondsToRecover: null, secondsAfterEnd: null, disrupted: { from, to: from }, failed: null, okShortfall: null, errors: {}, overlappedBy: [] };
  const baseline = baselineOf(seconds, firstFaultStart);
  if (baseline === null || baseline.throughput <= 0) {
    const why =
      baseline === null
        ? `fewer than ${MIN_BASELINE_SECONDS} whole seconds before the first fault (at ${round(firstFaultStart)} s) to take a baseline from`
        : 'no responses at all before the first fault';
    return { status: 'unmeasurable', reason: why, baseline, ...empty };
  }
  const mustHoldUntil = Math.ceil(fault.end - 1e-9);
  let recoveredAt: number | null = null;
  for (let r = from; r < seconds.length; r++) {
    const until = Math.max(r + HOLD_SECONDS, mustHoldUntil);
    if (until > seconds.length) break;
    if (isHealthyRun(seconds, r, until, baseline)) {
      recoveredAt = r;
      break;
    }
  }
  const to = recoveredAt ?? seconds.length;
  const disrupted = seconds.slice(from, to);
  const errors: Partial<ErrorCounts> = {};
  for (const b of disrupted) {
    for (const [cls, n] of Object.entries(b.errors) as [keyof ErrorCounts, number | undefined][]) if (n) errors[cls] = (errors[cls] ?? 0) + n;
  }
  const overlappedBy = others.filter((o) => o !== fault && o.start >= fault.start && Math.floor(o.start) < to).map((o) => o.label ?? `fault at ${round(o.start)} s`);
  const common = {
    baseline,
    recoveredAt,
    disrupted: { from, to },
    failed: disrupted.reduce((a, b) => a + errorsOf(b), 0),
    okShortfall: Math.round(disrupted.reduce((a, b) => a + Math.max(0, baseline.ok - b.ok), 0)),
    errors,
    overlappedBy,
  };
  if (recoveredAt === null) {
    const stillActive = mustHoldUntil >= seconds.length;
    return {
      status: 'not-recovered',
      reason: stillActive ? 'the fault lasted to the end of the profile' : `not recovered within the profile (no healthy ${HOLD_SECONDS} s after it)`,
      secondsToRecover: null,
      secondsAfterEnd: null,
      ...common,
    };
  }
  return {
    status: 'recovered',
    reason: null,
    secondsToRecover: Math.max(0, round(recoveredAt - fault.start)),
    secondsAfterEnd: Math.max(0, round(recoveredAt - fault.end)),
    ...common,
  };
}

const round = (x: number) => Math.round(x * 10) / 10;
