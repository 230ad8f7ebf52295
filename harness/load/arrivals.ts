/**
 * Arrival schedules for open-loop load: intended send times (ms from the start) at a constant
 * rate or as a Poisson process (exponential gaps) from a seeded generator, so a schedule can
 * be replayed exactly.
 */
export type Arrivals = 'constant' | 'poisson';

/** mulberry32: small, fast, good enough for inter-arrival gaps. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Yields intended send times in ms, strictly increasing, until `durationMs`. */
export function* schedule(rate: number, arrivals: Arrivals, durationMs: number, seed = 1): Generator<number> {
  const meanGapMs = 1000 / rate;
  const random = seeded(seed);
  let t = arrivals === 'constant' ? 0 : -Math.log(1 - random()) * meanGapMs;
  while (t < durationMs) {
    yield t;
    t += arrivals === 'constant' ? meanGapMs : -Math.log(1 - random()) * meanGapMs;
  }
}
