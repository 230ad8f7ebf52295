/**
 * When a profile's errors took over and whether they let go, from its per-second timeline
 * (docs/replication.md, "Timeline facts", holds the definitions in words). Every second counts
 * the requests that ended in it (responses of any status, client timeouts, refused, reset).
 *
 * A single second is too noisy to call a collapse (at 10 workers and 2 s latency a second holds
 * about five answers), and a whole-profile share hides when it happened, so "errors stay above
 * half" is judged on every 10 s window of a 30 s stretch. A window in which nothing ended at all
 * counts as failing: workers were waiting and no answer came.
 */
import type { TimelineBucket } from '../results/schema.ts';

export const EPISODE_RULES = {
  /** Length of the windows the error share is judged on (s). */
  windowS: 10,
  /** How long errors must stay above half for an onset, and under the recovery share for a recovery (s). */
  sustainS: 30,
  /** Errors above this share of the requests that ended: failing. */
  failShare: 0.5,
  /** Errors at or under this share: working again. */
  recoveryShare: 0.1,
} as const;

export interface ErrorEpisodes {
  /** Seconds of timeline judged. */
  seconds: number;
  /** False when the timeline is shorter than one sustained stretch (30 s): nothing below was judged. */
  judged: boolean;
  /** The first second from which errors stay above half for 30 s; null when they never do. */
  onset: number | null;
  /** No successful response came before the onset: the errors started with the window. */
  fromStart: boolean;
  /** The first second after the onset from which errors no longer dominate; null: they did until the window's end. */
  failingUntil: number | null;
  /** The first second after the onset from which errors stay at or under 10 % for 30 s; null: no recovery. */
  recovery: number | null;
}

const errorsOf = (b: TimelineBucket) => Math.max(0, b.completed - b.ok);

/** Share of the requests ending in seconds [from, to) that failed; 1 when none ended. */
export function windowShare(timeline: readonly TimelineBucket[], from: number, to: number): number {
  let ended = 0;
  let failed = 0;
  for (let t = Math.max(0, from); t < Math.min(to, timeline.length); t++) {
    ended += timeline[t]!.completed;
    failed += errorsOf(timeline[t]!);
  }
  return ended === 0 ? 1 : failed / ended;
}

/** The second's own share, or null when nothing ended in it. */
function secondShare(timeline: readonly TimelineBucket[], t: number): number | null {
  const b = timeline[t];
  return b && b.completed > 0 ? errorsOf(b) / b.completed : null;
}

/** Every `windowS` window inside [from, from + sustainS) passes `test`. */
function sustained(timeline: readonly TimelineBucket[], from: number, test: (share: number) => boolean): boolean {
  const { windowS, sustainS } = EPISODE_RULES;
  if (from + sustainS > timeline.length) return false;
  for (let t = from; t + windowS <= from + sustainS; t++) if (!test(windowShare(timeline, t, t + windowS))) return false;
  return true;
}

export function errorEpisodes(timeline: readonly TimelineBucket[]): ErrorEpisodes {
  const { windowS, sustainS, failShare, recoveryShare } = EPISODE_RULES;
  const n = timeline.length;
  const failing = (share: number) => share > failShare;
  const working = (share: number) => share <= recoveryShare;
  const episodes: ErrorEpisodes = { seconds: n, judged: n >= sustainS, onset: null, fromStart: false, failingUntil: null, recovery: null };
  // The onset is a second that itself failed (with answers), so it marks where failing began
  // rather than a quiet second before it.
  for (let s = 0; s + sustainS <= n && episodes.onset === null; s++) {
    const own = secondShare(timeline, s);
    if (own !== null && failing(own) && sustained(timeline, s, failing)) episodes.onset = s;
  }
  const onset = episodes.onset;
  if (onset === null) return episodes;
  episodes.fromStart = timeline.slice(0, onset).every((b) => b.ok === 0);
  // Where errors stop dominating: the first full window at or under half, then its first second
  // that is itself at or under half (the window's edge is up to 10 s late on its own).
  for (let e = onset + 1; e + windowS <= n && episodes.failingUntil === null; e++) {
    if (failing(windowShare(timeline, e, e + windowS))) continue;
    for (let t = e; t < e + windowS; t++) {
      const own = secondShare(timeline, t);
      if (own !== null && !failing(own)) {
        episodes.failingUntil = t;
        break;
      }
    }
  }
  for (let r = onset + 1; r + sustainS <= n && episodes.recovery === null; r++) {
    const own = secondShare(timeline, r);
    if (own !== null && working(own) && sustained(timeline, r, working)) episodes.recovery = r;
  }
  return episodes;
}
