/**
 * A profile's error rate, or none: a profile that sent no request stores `errorRate: 0` (the
 * schema keeps a number there), but 0 of 0 is no rate, and `0.00%` reads as a faultless system.
 * Everything that shows or averages an error rate reads it through here (issue 24), as the gate
 * does (gate/evaluate.ts emptyFigure).
 */
import type { ProfileResult } from '../results/schema.ts';

/** Why there is no error rate, in the words every reader shows. */
export const NO_ERROR_RATE = 'no requests (0 sent): no error rate';

/** The error rate, or null when the profile sent no request. */
export function errorRateOf(profile: Pick<ProfileResult, 'requests' | 'errorRate'>): number | null {
  return profile.requests > 0 ? profile.errorRate : null;
}
