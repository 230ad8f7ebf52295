/**
 * The rules every verdict is judged by (docs/replication.md, "Verdict rules", says them in
 * words; change one there when it changes here). Fixed before any paper run was judged, and
 * none of them is tuned to make a run agree: they say how precise one run is and how "above",
 * "about" and "does not grow" are read.
 */
import { ratioOfMeans } from '../metrics/aggregate.ts';
import { repeatedStat, type Interval } from '../metrics/repetitions.ts';
import type { ProfileResult } from '../results/schema.ts';

export type VerdictStatus = 'reproduced' | 'not-reproduced' | 'untestable';

export const VERDICT_RULES = {
  /**
   * How far one run of one profile can be off (DESIGN.md: a single run here is good to about
   * ±10–15 %; the upper end). Stands in for an interval when a figure has no repetitions, and is
   * the paper's own precision: each of its figures is one run.
   */
  singleRunMargin: 0.15,
  /** "About T seconds" in the paper's text (times read off a figure of one run): from T/2 to 2T. */
  timeFactor: 2,
  /** A hop's median from fewer gaps than this is not compared. */
  minHopGaps: 30,
  /** The paper's window (s), and the share of it a window must reach to count as as long. */
  paperWindowS: 600,
  paperWindowShare: 0.95,
} as const;

/** A figure of this run: a mean over repetitions, with its 95 % interval when there were two or more. */
export interface Measured {
  value: number;
  ci: Interval | null;
  n: number;
}

/** What a figure is judged by: its 95 % interval, or without repetitions the single-run margin around it. */
export function judgedInterval(m: Measured): Interval {
  if (m.ci) return m.ci;
  const f = 1 + VERDICT_RULES.singleRunMargin;
  return { lo: Math.min(m.value / f, m.value * f), hi: Math.max(m.value / f, m.value * f) };
}

/** The paper's figure with its own single-run margin. */
export function paperBand(value: number): Interval {
  return judgedInterval({ value, ci: null, n: 1 });
}

/** A difference claim holds when resolved: the whole interval is above the threshold. */
export const isAbove = (m: Measured, threshold: number) => judgedInterval(m).lo > threshold;
export const isBelow = (m: Measured, threshold: number) => judgedInterval(m).hi < threshold;
/** How a ratio stands against 1, in the evidence's words. */
export const direction = (r: Measured) => (isAbove(r, 1) ? 'above' : isBelow(r, 1) ? 'below' : 'not resolved from');
/** A similarity claim holds when the run cannot tell its figure from the paper's: the intervals meet. */
export function isAbout(m: Measured, paper: number): boolean {
  const ours = judgedInterval(m);
  const theirs = paperBand(paper);
  return ours.lo <= theirs.hi && theirs.lo <= ours.hi;
}

/** "About T s": from T/2 to 2T. */
export const aboutSeconds = (t: number) => ({ lo: t / VERDICT_RULES.timeFactor, hi: t * VERDICT_RULES.timeFactor });

export function measure(values: readonly number[]): Measured {
  const s = repeatedStat(values);
  return { value: s.mean, ci: s.ciMean, n: s.n };
}

/** The ratio of two figures' means, with the delta-method interval when both were repeated. */
export function measureRatio(numerator: readonly number[], denominator: readonly number[]): Measured | null {
  const r = ratioOfMeans(repeatedStat(numerator), repeatedStat(denominator));
  return r ? { value: r.ratio, ci: r.ci, n: Math.min(numerator.length, denominator.length) } : null;
}

const digitsFor = (v: number) => (Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2);
export const num = (v: number, digits = digitsFor(v)) => (Number.isFinite(v) ? v.toFixed(digits) : String(v));
export const pct = (share: number) => `${(share * 100).toFixed(share > 0 && share < 0.01 ? 2 : 1)} %`;

/** "0.47" or "0.47 [0.41, 0.53] (3 runs)". */
export function shown(m: Measured, format: (v: number) => string = (v) => num(v)): string {
  return m.ci ? `${format(m.value)} [${format(m.ci.lo)}, ${format(m.ci.hi)}] (${m.n} runs)` : format(m.value);
}

/** One checked part of a claim. */
export interface Part {
  status: VerdictStatus;
  text: string;
}

export const part = (status: VerdictStatus, text: string): Part => ({ status, text });
export const untestable = (text: string): Part => part('untestable', text);
export const judged = (holds: boolean, text: string): Part => part(holds ? 'reproduced' : 'not-reproduced', text);

/**
 * A claim of several parts: not reproduced when any tested part fails (a claim that fails
 * anywhere fails), else untestable when any part could not be tested, else reproduced. The
 * evidence lists the failed parts first, then the untested ones, then those that held.
 */
export function combine(parts: readonly Part[]): { status: VerdictStatus; evidence: string } {
  const status: VerdictStatus = parts.some((p) => p.status === 'not-reproduced')
    ? 'not-reproduced'
    : parts.some((p) => p.status === 'untestable')
      ? 'untestable'
      : 'reproduced';
  // What decided the verdict comes first; parts that say the same ("no openfaas profile in this
  // run" for each worker count) are said once.
  const rank: Record<VerdictStatus, number> = { 'not-reproduced': 0, untestable: 1, reproduced: 2 };
  const ordered = [...parts].sort((a, b) => rank[a.status] - rank[b.status]);
  return { status, evidence: [...new Set(ordered.map((p) => p.text))].join('; ') };
}

/** Errors over all the repetitions' requests: error counts are exact, so no margin. */
export function pooledErrorShare(runs: readonly ProfileResult[]): number {
  const requests = runs.reduce((n, p) => n + p.requests, 0);
  return requests ? runs.reduce((n, p) => n + p.requests - p.ok, 0) / requests : 0;
}

/** Closed-loop profiles that measured the system: interrupted and client-limited ones are left out, with why. */
export function unusable(p: ProfileResult): string | null {
  if (p.mode === 'open') return 'open loop (the paper\'s profiles are closed loops of hey workers)';
  if (p.interrupted) return 'interrupted (Ctrl-C): a shortened window';
  // The reason is long and in the summary's "!" note already.
  if (p.client?.limited) return 'client-limited: the load generator, not the system, set the pace (the summary says why)';
  return null;
}

export type Profiles = { runs: ProfileResult[] } | { missing: string };

/** The usable repetitions of one system at one worker count, or what is missing, in words. */
export function profilesOf(profiles: readonly ProfileResult[], system: string, workers: number): Profiles {
  const all = profiles.filter((p) => p.system === system && p.workers === workers);
  const runs = all.filter((p) => unusable(p) === null);
  if (runs.length) return { runs };
  if (all.length) return { missing: `${system} at ${workers} workers is ${unusable(all[0]!)}` };
  const counts = [...new Set(profiles.filter((p) => p.system === system).map((p) => p.workers))].sort((a, b) => a - b);
  return { missing: counts.length ? `no ${system} profile at ${workers} workers (this run has ${system} at ${counts.join(', ')})` : `no ${system} profile in this run` };
}

/** Why these runs' windows are too short for `needS` seconds, or null. */
export function windowTooShort(runs: readonly ProfileResult[], needS: number, what: string): string | null {
  const shortest = Math.min(...runs.map((p) => p.durationSeconds));
  return shortest >= needS ? null : `${runs[0]!.system} at ${runs[0]!.workers} workers has a ${num(shortest, 0)} s window; ${what} needs at least ${num(needS, 0)} s`;
}

/** The paper's 10-minute window, to the share that counts as as long. */
export const paperWindowS = () => VERDICT_RULES.paperWindowS * VERDICT_RULES.paperWindowShare;
