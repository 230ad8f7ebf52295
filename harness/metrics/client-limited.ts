/**
 * When was the load generator the bottleneck? A second is saturated when, in it:
 * - the kernel throttled the generator's quota group in 10 % or more of its scheduler periods,
 *   or the group used 90 % or more of its quota (fog: the client node's quota, 0.5 of a core on
 *   two cores: a test against a whole core could never fire there);
 * - or the agent's own process used more than 90 % of a core (its event loop is one thread);
 * - or its child processes (hey, with --driver hey) used 90 % or more of the cores they may use
 *   (hey runs as many threads as its CPU affinity allows; on loopback no quota covers it). The
 *   reason names them only when some sample shows them using CPU: another driver's agent may
 *   have an idle child (a helper the target started), which is not a load generator;
 * - or its event loop was late by more than 50 ms (p99, net of the monitor's timer resolution).
 * A profile is client-limited when more than 10 % of its seconds were saturated; any saturated
 * second at all is still counted and shown (one second in ten is a partial saturation the
 * figures of that second carry).
 */
import type { ClientSample } from '../results/schema.ts';

export const CLIENT_LIMITS = { cpu: 0.9, quotaShare: 0.9, throttledShare: 0.1, childrenShare: 0.9, loopDelayMs: 50, secondsShare: 0.1 } as const;

export interface ClientVerdict {
  limited: boolean;
  reason: string | null;
  saturatedSeconds: number;
}

/** Why one sample is saturated, in a few words each, or an empty list. */
export function saturation(s: ClientSample): string[] {
  const why: string[] = [];
  if (s.quota && s.quota.throttledShare >= CLIENT_LIMITS.throttledShare) why.push('throttled');
  if (s.quota && s.quota.used >= CLIENT_LIMITS.quotaShare * s.quota.cpus) why.push('at quota');
  if (s.cpu > CLIENT_LIMITS.cpu) why.push('cpu');
  if (s.children && s.children.cpu >= CLIENT_LIMITS.childrenShare * s.children.cores) why.push('children');
  if (s.loopDelayP99Ms > CLIENT_LIMITS.loopDelayMs) why.push('loop');
  return why;
}

export function clientLimited(samples: readonly ClientSample[]): ClientVerdict {
  if (samples.length === 0) return { limited: false, reason: null, saturatedSeconds: 0 };
  const reasons = samples.map(saturation);
  const count = (what: string) => reasons.filter((r) => r.includes(what)).length;
  const saturated = reasons.filter((r) => r.length > 0).length;
  if (saturated === 0) return { limited: false, reason: null, saturatedSeconds: 0 };
  const quota = samples.find((s) => s.quota)?.quota;
  // Child processes that used no CPU generated no load: not named (no hey ran, or it was idle).
  const children = samples.find((s) => s.children && s.children.cpu > 0)?.children;
  const parts = [
    quota ? `its quota group ${quota.group} (${quota.cpus.toFixed(2)} CPU) throttled in ≥ ${CLIENT_LIMITS.throttledShare * 100} % of periods in ${count('throttled')} s and at ≥ ${CLIENT_LIMITS.quotaShare * 100} % of its quota in ${count('at quota')} s` : 'no CPU quota found',
    `agent process > ${CLIENT_LIMITS.cpu * 100} % of a core in ${count('cpu')} s`,
    ...(children ? [`its child processes at ≥ ${CLIENT_LIMITS.childrenShare * 100} % of the ${children.cores} cores they may use in ${count('children')} s`] : []),
    `event-loop delay p99 > ${CLIENT_LIMITS.loopDelayMs} ms in ${count('loop')} s`,
  ];
  const limited = saturated / samples.length > CLIENT_LIMITS.secondsShare;
  return {
    limited,
    reason: `load generator ${limited ? 'saturated' : 'partly saturated'} in ${saturated} of ${samples.length} s (${parts.join('; ')})`,
    saturatedSeconds: saturated,
  };
}
