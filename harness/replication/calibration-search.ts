/**
 * The search behind `npm run calibrate`: which readings per request make p2p's 1-worker mean
 * latency reach the paper's. Latency grows with the data a request moves, so the search is a
 * bisection, on a log scale (the size spans orders of magnitude), between the largest size
 * measured below the target and the smallest at or above it (or failing). Pure: the caller
 * measures each size it is told and hands the history back.
 *
 * It starts at the largest size the systems accept: if even that stays below the target, the
 * paper's latency cannot be reached by data volume on this host, and the search says so rather
 * than returning a size that does not reach it.
 */
export interface Probe {
  readings: number;
  meanLatencyS: number;
  /** More than the allowed share of requests failed (a body limit, a deadline): counts as too large. */
  failed: boolean;
}

export interface SearchSettings {
  minReadings: number;
  maxReadings: number;
  targetS: number;
  /** Done when a probe's latency is within this share of the target (0.05 = ±5 %). */
  tolerance: number;
}

export type SearchStep =
  | { done: false; readings: number }
  | { done: true; best: Probe; reason: string }
  | { done: true; best: null; reason: string };

const above = (p: Probe, target: number) => p.failed || p.meanLatencyS >= target;

export function nextProbe(history: readonly Probe[], s: SearchSettings): SearchStep {
  if (history.length === 0) return { done: false, readings: s.maxReadings };
  const first = history[0]!;
  if (first.readings === s.maxReadings && !above(first, s.targetS)) {
    return {
      done: true,
      best: null,
      reason: `the largest request tried (${s.maxReadings} readings) reaches only ${first.meanLatencyS.toFixed(3)} s, below the target ${s.targetS} s`,
    };
  }
  const usable = history.filter((p) => !p.failed);
  const closest = usable.reduce<Probe | null>((best, p) => (best === null || Math.abs(p.meanLatencyS - s.targetS) < Math.abs(best.meanLatencyS - s.targetS) ? p : best), null);
  if (closest && Math.abs(closest.meanLatencyS - s.targetS) <= s.tolerance * s.targetS) {
    return { done: true, best: closest, reason: `within ${Math.round(s.tolerance * 100)} % of the target` };
  }
  const lo = Math.max(s.minReadings, ...history.filter((p) => !above(p, s.targetS)).map((p) => p.readings));
  const hi = Math.min(...history.filter((p) => above(p, s.targetS)).map((p) => p.readings));
  const next = Math.round(Math.sqrt(lo * hi));
  if (next <= lo || next >= hi || history.some((p) => p.readings === next)) {
    if (closest === null) return { done: true, best: null, reason: `every size from ${hi} readings up failed; none smaller is left to try` };
    return { done: true, best: closest, reason: `the sizes below and above the target (${lo} and ${hi} readings) are adjacent` };
  }
  return { done: false, readings: next };
}
