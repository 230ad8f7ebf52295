/**
 * The facts about one profile that the paper's figures 5–10 show and its claims rest on: when
 * errors took over and whether they let go, what happened to the gateway, the functions and the
 * services, and which mechanism produced the failures. Computed from the profile as it is
 * stored (timeline, events, histograms, the manifest's timers), so any run folder has them.
 */
import type { ProfileResult } from '../results/schema.ts';
import { errorEpisodes, type ErrorEpisodes } from './error-episodes.ts';
import { describeFailures, failureBreakdown, type FailureBreakdown } from './failure-mechanisms.ts';
import { unitIncidents, type UnitIncidents } from './unit-incidents.ts';

export interface TimelineFacts {
  system: string;
  workers: number;
  repetition: number;
  /** The measured window (s). */
  windowSeconds: number;
  /** Load sent before the window opened (s), 0 without a warm-up: the window's t = 0 is then not the load's start. */
  warmupSeconds: number;
  errorRate: number;
  episodes: ErrorEpisodes;
  incidents: UnitIncidents;
  failures: FailureBreakdown;
  /** The failures' mechanisms in words. */
  mechanism: string;
  /** How close the answers came to the system's deadline: the slowest answers against it. */
  latency: { p99Ms: number | null; deadlineMs: number | null; clientTimeoutMs: number | null };
}

// Several claims and the report read the same profile's facts: worked out once per profile object.
const computed = new WeakMap<ProfileResult, TimelineFacts>();

export function timelineFacts(profile: ProfileResult): TimelineFacts {
  let facts = computed.get(profile);
  if (!facts) computed.set(profile, (facts = factsOf(profile)));
  return facts;
}

function factsOf(profile: ProfileResult): TimelineFacts {
  const incidents = unitIncidents(profile);
  const failures = failureBreakdown(profile, incidents.outages);
  const deadlineMs = profile.manifest.timeouts?.systems[profile.system]?.deadlineMs ?? null;
  return {
    system: profile.system,
    workers: profile.workers,
    repetition: profile.repetition ?? 1,
    windowSeconds: profile.durationSeconds,
    warmupSeconds: (profile.warmup?.ms ?? 0) / 1000,
    errorRate: profile.errorRate,
    episodes: errorEpisodes(profile.timeline),
    incidents,
    failures,
    mechanism: describeFailures(failures),
    latency: { p99Ms: profile.latency.count > 0 ? profile.latency.p99 : null, deadlineMs, clientTimeoutMs: failures.clientTimeoutMs },
  };
}

/** A role's incidents in time order ("gateway exit at 230 s, gateway restart at 240 s"), returns to ready left out. */
export function incidentList(facts: TimelineFacts, role: keyof UnitIncidents['byRole']): string {
  const events = facts.incidents.byRole[role].events.filter((e) => e.kind !== 'ready');
  if (events.length === 0) return 'none';
  const shown = events.slice(0, 8).map((e) => `${e.subject} ${e.kind} at ${Math.round(e.t)} s`);
  return `${shown.join(', ')}${events.length > shown.length ? ` and ${events.length - shown.length} more` : ''}`;
}
