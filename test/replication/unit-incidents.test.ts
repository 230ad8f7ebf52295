import { describe, expect, it } from 'vitest';
import { roleOf, unitIncidents } from '../../harness/replication/unit-incidents.ts';
import { phasedRun } from '../../harness/report/synthetic-phases.ts';
import { SYNTHETIC_ROUTE } from '../../harness/report/synthetic-run.ts';
import type { ClusterEvent } from '../../harness/results/schema.ts';

const route = SYNTHETIC_ROUTE;

function profileWith(system: string, events: Omit<ClusterEvent, 'at'>[], seconds = 600) {
  return phasedRun('incidents', [{ system, workers: 50, seconds, rate: 5, latencyMs: 100, events }]).profiles[0]!;
}

describe('unit roles', () => {
  it.each([
    ['gateway', 'gateway'],
    ['gateway/provider', 'gateway'],
    ['openfaas/gateway-6d9f8c7b5-x2x4z', 'gateway'],
    ['filter-temperature-0', 'function'],
    ['orchestrator-0', 'function'],
    ['openfaas-fn/orchestrator-7f9d-abcde', 'function'],
    ['prometheus', 'other'],
    ['openfaas/alertmanager-5c-xyz', 'other'],
  ])('openfaas: %s is the %s', (subject, role) => {
    expect(roleOf('openfaas', subject, route)).toBe(role);
  });

  it.each([
    ['get', 'service'],
    ['compute-average', 'service'],
    ['fogbench-run/display-7c8d-abc12', 'service'],
    ['getter', 'other'],
    ['gateway', 'other'],
  ])('p2p: %s is a %s', (subject, role) => {
    expect(roleOf('p2p', subject, route)).toBe(role);
  });
});

describe('unit incidents', () => {
  it("counts the gateway's crashes and a function's probe kill, with their outages", () => {
    const p = profileWith('openfaas', [
      { t: 100, kind: 'unhealthy', subject: 'filter-temperature-0', detail: 'liveness timed out; killing the container' },
      { t: 101, kind: 'exit', subject: 'filter-temperature-0', detail: 'killed by SIGKILL' },
      { t: 111, kind: 'restart', subject: 'filter-temperature-0', detail: 'restart #1' },
      { t: 115, kind: 'ready', subject: 'filter-temperature-0', detail: 'readiness passed' },
      { t: 230, kind: 'exit', subject: 'gateway', detail: 'exited with code 2' },
      { t: 240, kind: 'restart', subject: 'gateway', detail: 'restart #1' },
      { t: 245, kind: 'ready', subject: 'gateway', detail: 'readiness passed' },
      { t: 480, kind: 'oom-kill', subject: 'gateway/provider', detail: 'OOM' },
      { t: 480.5, kind: 'exit', subject: 'gateway/provider', detail: 'killed by SIGKILL' },
      { t: 490, kind: 'restart', subject: 'gateway/provider', detail: 'restart #1' },
      { t: 492, kind: 'ready', subject: 'gateway/provider', detail: 'readiness passed' },
      { t: 300, kind: 'info', subject: 'gateway', detail: 'not an incident' },
      { t: 10, kind: 'fault-start', subject: 'gateway', detail: 'not an incident either' },
    ]);
    const i = unitIncidents(p);
    expect(i.byRole.gateway).toMatchObject({ restarts: 2, exits: 2, oomKills: 1, crashes: 2 });
    expect(i.byRole.function).toMatchObject({ restarts: 1, exits: 1, unhealthy: 1, crashes: 1 });
    expect(i.byRole.gateway.events.map((e) => e.t)).toEqual([230, 240, 245, 480, 480.5, 490, 492]);
    expect(i.outages).toEqual([
      { subject: 'filter-temperature-0', role: 'function', cause: 'probe', from: 100, to: 115 },
      { subject: 'gateway', role: 'gateway', cause: 'crash', from: 230, to: 245 },
      { subject: 'gateway/provider', role: 'gateway', cause: 'crash', from: 480, to: 492 },
    ]);
  });

  it('ends an outage at the restart where the target reports no readiness, and at the window when it never came back', () => {
    const p = profileWith('p2p', [
      { t: 10, kind: 'exit', subject: 'get', detail: 'exited with code 1' },
      { t: 12, kind: 'restart', subject: 'get', detail: 'restart #1' },
      { t: 500, kind: 'exit', subject: 'display', detail: 'killed by SIGKILL' },
    ]);
    const i = unitIncidents(p);
    expect(i.byRole.service).toMatchObject({ exits: 2, restarts: 1, crashes: 2 });
    expect(i.outages).toEqual([
      { subject: 'get', role: 'service', cause: 'crash', from: 10, to: 12 },
      { subject: 'display', role: 'service', cause: 'crash', from: 500, to: 600 },
    ]);
  });

  it('calls a loss of readiness seen with a restart a crash, as Kubernetes reports a crashed container', () => {
    const p = profileWith('openfaas', [
      { t: 230, kind: 'restart', subject: 'openfaas/gateway-6d9f8-x2x4z', detail: 'container gateway restarted (restart 1; Error, exit code 2)' },
      { t: 230, kind: 'not-ready', subject: 'openfaas/gateway-6d9f8-x2x4z', detail: 'pod not Ready (CrashLoopBackOff)' },
      { t: 241, kind: 'ready', subject: 'openfaas/gateway-6d9f8-x2x4z', detail: 'pod became Ready' },
      { t: 300, kind: 'not-ready', subject: 'openfaas-fn/display-5c-abc', detail: 'pod not Ready' },
      { t: 305, kind: 'ready', subject: 'openfaas-fn/display-5c-abc', detail: 'pod became Ready' },
    ]);
    const i = unitIncidents(p);
    expect(i.byRole.gateway).toMatchObject({ restarts: 1, exits: 0, crashes: 1, notReady: 1 });
    expect(i.outages).toEqual([
      { subject: 'openfaas/gateway-6d9f8-x2x4z', role: 'gateway', cause: 'crash', from: 230, to: 241 },
      { subject: 'openfaas-fn/display-5c-abc', role: 'function', cause: 'probe', from: 300, to: 305 },
    ]);
  });

  it('keeps events outside the window out of the counts, but a unit down as the window opens is down from its start', () => {
    const p = profileWith('openfaas', [
      { t: -2, kind: 'not-ready', subject: 'gateway', detail: 'readiness failed' },
      { t: 3, kind: 'ready', subject: 'gateway', detail: 'readiness passed' },
      { t: 700, kind: 'exit', subject: 'gateway', detail: 'after the window' },
    ]);
    const i = unitIncidents(p);
    expect(i.byRole.gateway).toMatchObject({ notReady: 0, exits: 0, crashes: 0 });
    expect(i.byRole.gateway.events.map((e) => e.kind)).toEqual(['ready']);
    expect(i.outages).toEqual([{ subject: 'gateway', role: 'gateway', cause: 'probe', from: 0, to: 3 }]);
  });
});
