/**
 * When was the load generator the bottleneck? A second is saturated when the generator used
 * more than 90 % of a core or its event loop was late by more than 50 ms (p99); a profile is
 * client-limited when more than 10 % of its seconds were saturated.
 */
import type { ClientSample } from '../results/schema.ts';

export const CLIENT_LIMITS = { cpu: 0.9, loopDelayMs: 50, secondsShare: 0.1 } as const;

export function clientLimited(samples: readonly ClientSample[]): { limited: boolean; reason: string | null } {
  if (samples.length === 0) return { limited: false, reason: null };
  const busy = samples.filter((s) => s.cpu > CLIENT_LIMITS.cpu).length;
  const late = samples.filter((s) => s.loopDelayP99Ms > CLIENT_LIMITS.loopDelayMs).length;
  const saturated = samples.filter((s) => s.cpu > CLIENT_LIMITS.cpu || s.loopDelayP99Ms > CLIENT_LIMITS.loopDelayMs).length;
  if (saturated / samples.length <= CLIENT_LIMITS.secondsShare) return { limited: false, reason: null };
  return {
    limited: true,
    reason:
      `load generator saturated in ${saturated} of ${samples.length} s ` +
      `(CPU > ${CLIENT_LIMITS.cpu * 100} % of a core in ${busy} s, event-loop delay p99 > ${CLIENT_LIMITS.loopDelayMs} ms in ${late} s)`,
  };
}
