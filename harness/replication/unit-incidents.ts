/**
 * What happened to a profile's units, from its events: exits, restarts, OOM kills and probe
 * failures of the OpenFaaS gateway, of functions and of p2p services, with their times, and the
 * stretches in which a unit was out of service (for the failure mechanisms).
 *
 * Subjects are named by the target: on fog a pod (`gateway`, `filter-temperature-0`) or a pod's
 * sidecar (`gateway/provider`); on Kubernetes `namespace/pod` (`openfaas/gateway-6d…`,
 * `openfaas-fn/orchestrator-7f…`). A unit is matched by any segment of its name.
 */
import { ORCHESTRATOR } from '../openfaas/function-main.ts';
import type { ClusterEvent, ProfileResult } from '../results/schema.ts';

export type UnitRole = 'gateway' | 'function' | 'service' | 'other';
export const UNIT_ROLES: readonly UnitRole[] = ['gateway', 'function', 'service', 'other'];

/** The kinds that say a unit broke or came back; faults' own markers and infos are not incidents. */
const INCIDENT_KINDS = new Set<ClusterEvent['kind']>(['exit', 'restart', 'oom-kill', 'unhealthy', 'not-ready', 'ready', 'eviction']);

const CRASH_KINDS = new Set<ClusterEvent['kind']>(['exit', 'restart', 'oom-kill', 'eviction']);

const named = (segment: string, name: string) => segment === name || segment.startsWith(`${name}-`);

/**
 * The gateway pod (its containers too: the provider runs beside the gateway as faas-netes does),
 * a function (a step of the route or the orchestrator), a p2p service, or something else
 * (Prometheus, alertmanager).
 */
export function roleOf(system: string, subject: string, route: readonly string[]): UnitRole {
  const segments = subject.split('/');
  if (system === 'p2p') return segments.some((s) => route.some((name) => named(s, name))) ? 'service' : 'other';
  if (segments.some((s) => named(s, 'gateway'))) return 'gateway';
  return segments.some((s) => [...route, ORCHESTRATOR].some((name) => named(s, name))) ? 'function' : 'other';
}

export interface UnitIncident {
  /** Seconds since the window opened. */
  t: number;
  kind: ClusterEvent['kind'];
  subject: string;
  role: UnitRole;
  detail: string;
}

export interface RoleIncidents {
  restarts: number;
  exits: number;
  oomKills: number;
  /** Liveness probe failures (the unit is being killed) and readiness losses. */
  unhealthy: number;
  notReady: number;
  evictions: number;
  /** Crash episodes: per unit, the larger of its restarts and its exits (a target may record only one of the two). */
  crashes: number;
  /** Every incident inside the window, in time order. */
  events: UnitIncident[];
}

/** A unit out of service: after a crash (exit, OOM kill, eviction) or a failed probe, until it was ready again. */
export interface Outage {
  subject: string;
  role: UnitRole;
  cause: 'crash' | 'probe';
  /** Seconds since the window opened, [from, to); `to` is the window's end when it never came back. */
  from: number;
  to: number;
}

export interface UnitIncidents {
  byRole: Record<UnitRole, RoleIncidents>;
  outages: Outage[];
}

const COUNTED: Partial<Record<ClusterEvent['kind'], Exclude<keyof RoleIncidents, 'crashes' | 'events'>>> = {
  restart: 'restarts',
  exit: 'exits',
  'oom-kill': 'oomKills',
  unhealthy: 'unhealthy',
  'not-ready': 'notReady',
  eviction: 'evictions',
};

const emptyRole = (): RoleIncidents => ({ restarts: 0, exits: 0, oomKills: 0, unhealthy: 0, notReady: 0, evictions: 0, crashes: 0, events: [] });

export function unitIncidents(profile: Pick<ProfileResult, 'system' | 'events' | 'durationSeconds' | 'manifest'>): UnitIncidents {
  const route = profile.manifest.scenario.route;
  const end = profile.durationSeconds;
  const events = (profile.events ?? []).filter((e) => INCIDENT_KINDS.has(e.kind)).sort((a, b) => a.t - b.t);
  const byRole = Object.fromEntries(UNIT_ROLES.map((r) => [r, emptyRole()])) as Record<UnitRole, RoleIncidents>;
  const perUnit = new Map<string, { restarts: number; exits: number }>();
  for (const e of events) {
    if (e.t < 0 || e.t > end) continue;
    const role = roleOf(profile.system, e.subject, route);
    const r = byRole[role];
    r.events.push({ t: e.t, kind: e.kind, subject: e.subject, role, detail: e.detail });
    const unit = perUnit.get(e.subject) ?? { restarts: 0, exits: 0 };
    perUnit.set(e.subject, unit);
    if (e.kind === 'restart') unit.restarts++;
    if (e.kind === 'exit') unit.exits++;
    const counter = COUNTED[e.kind];
    if (counter) r[counter]++;
  }
  for (const [subject, unit] of perUnit) byRole[roleOf(profile.system, subject, route)].crashes += Math.max(unit.restarts, unit.exits);
  return { byRole, outages: outagesOf(profile.system, events, route, end) };
}

/**
 * Out-of-service stretches per unit. Events before the window count (a unit not ready when it
 * opened is out from its start). A unit whose target reports readiness is back when it is
 * ready again; one without readiness events, when it restarted. A crash that follows a failed
 * liveness probe is the probe's kill: its cause stays the probe. A loss of readiness within
 * 2 s of an exit or restart is the crash's (Kubernetes reports a crashed container as a restart
 * and the pod not ready, seen together).
 */
function outagesOf(system: string, events: readonly ClusterEvent[], route: readonly string[], end: number): Outage[] {
  const outages: Outage[] = [];
  const subjects = [...new Set(events.map((e) => e.subject))];
  for (const subject of subjects) {
    const own = events.filter((e) => e.subject === subject);
    const tracksReadiness = own.some((e) => e.kind === 'ready' || e.kind === 'not-ready');
    const role = roleOf(system, subject, route);
    let open: { cause: Outage['cause']; from: number } | null = null;
    const close = (to: number) => {
      if (open && to > 0) outages.push({ subject, role, cause: open.cause, from: Math.max(0, open.from), to: Math.min(end, to) });
      open = null;
    };
    const crashNear = (t: number) => own.some((e) => CRASH_KINDS.has(e.kind) && Math.abs(e.t - t) <= 2);
    for (const e of own) {
      if (e.t > end) break;
      if (e.kind === 'exit' || e.kind === 'oom-kill' || e.kind === 'eviction') open ??= { cause: 'crash', from: e.t };
      else if (e.kind === 'unhealthy') open ??= { cause: 'probe', from: e.t };
      else if (e.kind === 'not-ready') open ??= { cause: crashNear(e.t) ? 'crash' : 'probe', from: e.t };
      else if (e.kind === 'ready' || (e.kind === 'restart' && !tracksReadiness)) close(e.t);
    }
    close(end);
  }
  return outages.sort((a, b) => a.from - b.from);
}
