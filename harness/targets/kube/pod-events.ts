/**
 * Turns what the API server says about pods and events into the run's ClusterEvents: pure
 * functions of (previous pod, current pod) so they are tested without a cluster. Restarts,
 * OOM kills, evictions and readiness flips are what the paper saw when OpenFaaS collapsed.
 */
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import type { ClusterEvent } from '../../results/schema.ts';

export interface EventClock {
  /** Milliseconds since the epoch when the profile started (ClusterEvent.t is relative to it). */
  t0: number;
  now: () => number;
}

const ready = (pod: V1Pod | undefined): boolean | undefined => {
  const condition = pod?.status?.conditions?.find((c) => c.type === 'Ready');
  return condition ? condition.status === 'True' : undefined;
};

function subjectOf(pod: V1Pod): string {
  return `${pod.metadata?.namespace ?? '?'}/${pod.metadata?.name ?? '?'}`;
}

function make(clock: EventClock, kind: ClusterEvent['kind'], pod: V1Pod, detail: string): ClusterEvent {
  const now = clock.now();
  const node = pod.spec?.nodeName;
  return { t: (now - clock.t0) / 1000, at: new Date(now).toISOString(), kind, subject: subjectOf(pod), ...(node ? { node } : {}), detail };
}

/** Events implied by a pod changing from `before` (undefined when first seen) to `after`. */
export function podTransitions(before: V1Pod | undefined, after: V1Pod, clock: EventClock): ClusterEvent[] {
  const events: ClusterEvent[] = [];
  if (after.status?.reason === 'Evicted' && before?.status?.reason !== 'Evicted') {
    events.push(make(clock, 'eviction', after, after.status.message ?? 'pod evicted'));
  }
  for (const status of after.status?.containerStatuses ?? []) {
    const previous = before?.status?.containerStatuses?.find((c) => c.name === status.name);
    if (!previous || status.restartCount <= previous.restartCount) continue;
    const terminated = status.lastState?.terminated;
    const how = terminated ? `${terminated.reason ?? 'terminated'}, exit code ${terminated.exitCode}` : 'no termination recorded';
    const count = `restart ${status.restartCount}`;
    if (terminated?.reason === 'OOMKilled') events.push(make(clock, 'oom-kill', after, `container ${status.name} OOM-killed (${count})`));
    events.push(make(clock, 'restart', after, `container ${status.name} restarted (${count}; ${how})`));
  }
  const was = ready(before);
  const is = ready(after);
  // The first sighting of a pod is its baseline, not a change.
  if (before !== undefined && was !== is && is !== undefined) {
    events.push(make(clock, is ? 'ready' : 'not-ready', after, is ? 'pod became Ready' : `pod not Ready${readinessReason(after)}`));
  }
  return events;
}

function readinessReason(pod: V1Pod): string {
  const waiting = pod.status?.containerStatuses?.map((c) => c.state?.waiting?.reason).find((r) => r);
  const condition = pod.status?.conditions?.find((c) => c.type === 'Ready');
  const reason = waiting ?? condition?.reason;
  return reason ? ` (${reason})` : '';
}

export function podDeleted(pod: V1Pod, clock: EventClock): ClusterEvent {
  return make(clock, 'exit', pod, 'pod deleted');
}

/** A Warning Event (BackOff, Unhealthy, Evicted, OOMKilling...) as an `info` entry, with its own time. */
export function warningEvent(event: CoreV1Event, clock: EventClock): ClusterEvent | undefined {
  if (event.type !== 'Warning') return undefined;
  const when = eventTime(event) ?? clock.now();
  const object = event.involvedObject;
  return {
    t: (when - clock.t0) / 1000,
    at: new Date(when).toISOString(),
    kind: 'info',
    subject: `${object.namespace ?? event.metadata?.namespace ?? '?'}/${object.name ?? '?'}`,
    ...(event.source?.host ? { node: event.source.host } : {}),
    detail: `${event.reason ?? 'Warning'}: ${(event.message ?? '').trim()}${(event.count ?? 1) > 1 ? ` (x${event.count})` : ''}`,
  };
}

export function eventTime(event: CoreV1Event): number | undefined {
  const raw = event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata?.creationTimestamp;
  if (raw === undefined) return undefined;
  const ms = raw instanceof Date ? raw.getTime() : Date.parse(String(raw));
  return Number.isFinite(ms) ? ms : undefined;
}
