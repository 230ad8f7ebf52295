/**
 * Which mechanism produced a profile's failures, as far as its data says. Every failure is put
 * under exactly one of:
 *
 * - `client-timeout`: the client gave up (the `timeout` class, at the client timeout);
 * - `deadline`: an error answer (5xx, 4xx, a p2p error envelope) that came at about one of the
 *   system's own timers: at least 90 % and under 150 % of it (a timer that fires sends its answer
 *   back through a loaded system, so it arrives late, never early). From the whole profile's
 *   latency histograms: all responses minus the successful ones;
 * - `crash`: any other failure that ended while a unit of the system was down after an exit, an
 *   OOM kill or an eviction (until it was ready again);
 * - `probe`: any other failure that ended while a unit was out after a failed liveness or
 *   readiness probe;
 * - `rejection`: the rest: fast failures (connection refused or reset, an error answer before any
 *   timer) with no unit down: the system turned requests away.
 *
 * The per-second buckets keep the error classes but not the latency of each error, so the error
 * answers of a second are split between `deadline` and the rest in the whole profile's proportion.
 */
import { countBetween, decodeHistogram } from '../metrics/histogram.ts';
import type { ErrorClass, ErrorCounts, ProfileResult } from '../results/schema.ts';
import type { Outage, UnitRole } from './unit-incidents.ts';

export const MECHANISMS = ['deadline', 'client-timeout', 'crash', 'probe', 'rejection'] as const;
export type Mechanism = (typeof MECHANISMS)[number];

/** A timer's answer arrives in [90 %, 150 %) of it. */
export const TIMER_BAND = { from: 0.9, to: 1.5 } as const;

const ANSWERED: readonly ErrorClass[] = ['http4xx', 'http5xx', 'envelope'];
const CONNECTION: readonly ErrorClass[] = ['refused', 'reset', 'other'];

export interface TimerHits {
  /** `deadline`, `call`, or the timer's own name (`gateway upstream_timeout`, ...). */
  name: string;
  ms: number;
  /** What enforces it. */
  by: string;
  /** Error answers in its band. */
  count: number;
}

export interface FailureBreakdown {
  failures: number;
  classes: ErrorCounts;
  counts: Record<Mechanism, number>;
  /** Error answers at each of the system's timers; empty when the manifest records none. */
  timers: TimerHits[];
  /** False for results written before the manifest recorded the timers: a deadline is not told from a rejection then. */
  timersKnown: boolean;
  clientTimeoutMs: number | null;
  /** Units that were out while failures ended, per cause. */
  outageUnits: { crash: string[]; probe: string[] };
  /** The mechanism behind most failures; null without failures. */
  main: Mechanism | null;
}

/** The system's timers that can fire before the client gives up, longest first. */
function timersOf(profile: ProfileResult): { timers: Omit<TimerHits, 'count'>[]; known: boolean; clientMs: number | null } {
  const recorded = profile.manifest.timeouts;
  const clientMs = recorded?.clientMs ?? (typeof profile.manifest.options.timeoutMs === 'number' ? profile.manifest.options.timeoutMs : null);
  const own = recorded?.systems[profile.system];
  if (!own) return { timers: [], known: false, clientMs };
  const all = [
    { name: 'deadline', ms: own.deadlineMs, by: own.deadlineBy },
    { name: 'call', ms: own.callMs, by: own.callBy },
    ...Object.entries(own.others).map(([name, ms]) => ({ name, ms, by: name })),
  ];
  // One timer per length (the first named keeps it), and only those that can fire before the client gives up.
  const timers = all.filter((t, i) => t.ms > 0 && all.findIndex((u) => u.ms === t.ms) === i && (clientMs === null || t.ms * TIMER_BAND.from < clientMs));
  return { timers: timers.sort((a, b) => b.ms - a.ms), known: true, clientMs };
}

/** Error answers in each timer's band; a longer timer's band takes precedence where two overlap. */
function timerHits(profile: ProfileResult, timers: Omit<TimerHits, 'count'>[]): TimerHits[] {
  if (timers.length === 0) return [];
  const failed = decodeHistogram(profile.latency.hdr);
  failed.subtract(decodeHistogram(profile.latencyOk.hdr));
  let ceiling = Infinity;
  return timers.map((timer) => {
    const lo = timer.ms * TIMER_BAND.from;
    const hi = Math.min(timer.ms * TIMER_BAND.to, ceiling);
    ceiling = Math.min(ceiling, lo);
    return { ...timer, count: hi > lo ? countBetween(failed, lo, hi) : 0 };
  });
}

const inOutage = (outages: readonly Outage[], second: number) => outages.some((o) => second + 1 > o.from && second < o.to);

export function failureBreakdown(profile: ProfileResult, outages: readonly Outage[]): FailureBreakdown {
  const failures = Math.max(0, profile.requests - profile.ok);
  const { timers, known, clientMs } = timersOf(profile);
  const hits = timerHits(profile, timers);
  const answered = ANSWERED.reduce((n, c) => n + profile.errors[c], 0);
  const deadline = Math.min(answered, hits.reduce((n, h) => n + h.count, 0));
  const fastAnswered = answered > 0 ? 1 - deadline / answered : 0;
  // Units whose outages matter: those on the request's path.
  const onPath = (role: UnitRole) => role !== 'other';
  const crashOut = outages.filter((o) => o.cause === 'crash' && onPath(o.role));
  const probeOut = outages.filter((o) => o.cause === 'probe' && onPath(o.role));
  let crash = 0;
  let probe = 0;
  for (const bucket of profile.timeline) {
    const errors: Partial<ErrorCounts> = bucket.errors;
    const fast = CONNECTION.reduce((n, c) => n + (errors[c] ?? 0), 0) + ANSWERED.reduce((n, c) => n + (errors[c] ?? 0), 0) * fastAnswered;
    if (fast === 0) continue;
    if (inOutage(crashOut, bucket.t)) crash += fast;
    else if (inOutage(probeOut, bucket.t)) probe += fast;
  }
  const timeouts = profile.errors.timeout;
  const rest = Math.max(0, failures - timeouts - deadline);
  const crashN = Math.min(rest, Math.round(crash));
  const probeN = Math.min(rest - crashN, Math.round(probe));
  const counts: Record<Mechanism, number> = { deadline, 'client-timeout': timeouts, crash: crashN, probe: probeN, rejection: rest - crashN - probeN };
  const main = failures === 0 ? null : MECHANISMS.reduce((best, m) => (counts[m] > counts[best] ? m : best), MECHANISMS[0]);
  const units = (list: Outage[]) => [...new Set(list.map((o) => o.subject))];
  return { failures, classes: { ...profile.errors }, counts, timers: hits, timersKnown: known, clientTimeoutMs: clientMs, outageUnits: { crash: units(crashOut), probe: units(probeOut) }, main };
}

const seconds = (ms: number) => `${+(ms / 1000).toFixed(1)} s`;
const percent = (n: number, of: number) => `${of > 0 ? Math.round((n / of) * 100) : 0} %`;

/** The mechanisms in words, largest first: "a deadline: 88 % error answers at about the 10 s deadline (…); …". */
export function describeFailures(b: FailureBreakdown): string {
  if (b.failures === 0) return 'no failures';
  const parts: string[] = [];
  const order = [...MECHANISMS].sort((x, y) => b.counts[y] - b.counts[x]).filter((m) => b.counts[m] > 0);
  for (const m of order) {
    const share = percent(b.counts[m], b.failures);
    if (m === 'deadline') {
      const [top, ...others] = b.timers.filter((t) => t.count > 0).sort((x, y) => y.count - x.count);
      const more = others.map((t) => `, ${t.count} at the ${seconds(t.ms)} ${t.name}`).join('');
      parts.push(`a deadline: ${share} error answers at about the ${seconds(top!.ms)} ${top!.name === 'deadline' ? 'deadline' : top!.name} (${top!.by})${more}`);
    } else if (m === 'client-timeout') {
      parts.push(`the client's timeout: ${share} timed out${b.clientTimeoutMs !== null ? ` at ${seconds(b.clientTimeoutMs)}` : ''}`);
    } else if (m === 'crash') {
      parts.push(`a crash: ${share} ended while ${b.outageUnits.crash.join(', ')} ${b.outageUnits.crash.length === 1 ? 'was' : 'were'} down`);
    } else if (m === 'probe') {
      parts.push(`a probe: ${share} ended while ${b.outageUnits.probe.join(', ')} failed ${b.outageUnits.probe.length === 1 ? 'its' : 'their'} probes`);
    } else {
      parts.push(`rejection: ${share} fast failures (refused, reset, or an error answer before any timer) with no unit down`);
    }
  }
  const byClass = Object.entries(b.classes).filter(([, n]) => n > 0).map(([c, n]) => `${c} ${n}`);
  const note = b.timersKnown ? '' : '; the manifest records no system timers (results from before they were recorded), so an error answer at a deadline is counted as a rejection';
  return `${b.failures} failures (${byClass.join(', ')}), by mechanism: ${parts.join('; ')}${note}`;
}
