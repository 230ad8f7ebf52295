/**
 * Arrival schedules for open-loop load: intended send times (ms from the start) at a constant
 * rate or as a Poisson process (exponential gaps) from the seeded generator the dataset uses,
 * so a schedule can be replayed exactly.
 */
import { seededRandom } from '../../datasets/random.ts';

export type Arrivals = 'constant' | 'poisson';

/** Yields intended send times in ms, strictly increasing, until `durationMs`. */
export function* schedule(rate: number, arrivals: Arrivals, durationMs: number, seed = 1): Generator<number> {
  const meanGapMs = 1000 / rate;
  const random = () => generator.next();
  const generator = seededRandom(seed);
  let t = arrivals === 'constant' ? 0 : -Math.log(1 - random()) * meanGapMs;
  while (t < durationMs) {
    yield t;
    t += arrivals === 'constant' ? meanGapMs : -Math.log(1 - random()) * meanGapMs;
  }
}
