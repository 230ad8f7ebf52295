/** Pod and event transitions → ClusterEvents, clock offset estimates, quantities, image tags. */
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { estimateOffset } from '../../../harness/targets/kube/clock.ts';
import { describeNode, parseQuantity } from '../../../harness/targets/kube/nodes.ts';
import { podTransitions, warningEvent } from '../../../harness/targets/kube/pod-events.ts';
import { splitTimestamp } from '../../../harness/targets/kube/pod-logs.ts';

const clock = { t0: Date.parse('2026-01-01T00:00:00Z'), now: () => Date.parse('2026-01-01T00:00:12.5Z') };

function pod(over: { restarts?: number; ready?: boolean; reason?: string; lastReason?: string }): V1Pod {
  return {
    metadata: { name: 'gateway-1', namespace: 'openfaas' },
    spec: { nodeName: 'lab-server', containers: [] },
    status: {
      ...(over.reason ? { reason: over.reason, message: 'The node was low on resource: memory.' } : {}),
      conditions: [{ type: 'Ready', status: over.ready === false ? 'False' : 'True' }],
      containerStatuses: [
        {
          name: 'gateway',
          image: 'x',
          imageID: '',
          ready: over.ready !== false,
          restartCount: over.restarts ?? 0,
          ...(over.lastReason ? { lastState: { terminated: { reason: over.lastReason, exitCode: 137 } } } : {}),
        },
      ],
    },
  };
}

describe('pod transitions', () => {
  it('a first sighting is a baseline, not an event', () => {
    expect(podTransitions(undefined, pod({ restarts: 3, ready: false }), clock)).toEqual([]);
  });

  it('reports a restart after an OOM kill with both kinds, timed from t0', () => {
    const events = podTransitions(pod({}), pod({ restarts: 1, lastReason: 'OOMKilled' }), clock);
    expect(events.map((e) => e.kind)).toEqual(['oom-kill', 'restart']);
    expect(events[1]).toEqual({
      t: 12.5,
      at: '2026-01-01T00:00:12.500Z',
      kind: 'restart',
      subject: 'openfaas/gateway-1',
      node: 'lab-server',
      detail: 'container gateway restarted (restart 1; OOMKilled, exit code 137)',
    });
  });

  it('reports readiness both ways and evictions once', () => {
    expect(podTransitions(pod({}), pod({ ready: false }), clock).map((e) => e.kind)).toEqual(['not-ready']);
    expect(podTransitions(pod({ ready: false }), pod({}), clock).map((e) => e.kind)).toEqual(['ready']);
    const evicted = podTransitions(pod({}), pod({ reason: 'Evicted' }), clock);
    expect(evicted.map((e) => [e.kind, e.detail])).toEqual([['eviction', 'The node was low on resource: memory.']]);
    expect(podTransitions(pod({ reason: 'Evicted' }), pod({ reason: 'Evicted' }), clock)).toEqual([]);
  });

  it('keeps warning events at their own time and drops normal ones', () => {
    const warning: CoreV1Event = {
      metadata: {},
      type: 'Warning',
      reason: 'Unhealthy',
      message: 'Readiness probe failed: HTTP probe failed with statuscode: 503\n',
      count: 4,
      involvedObject: { namespace: 'openfaas', name: 'gateway-1' },
      lastTimestamp: new Date('2026-01-01T00:00:03Z'),
      source: { host: 'lab-server' },
    };
    expect(warningEvent(warning, clock)).toEqual({
      t: 3,
      at: '2026-01-01T00:00:03.000Z',
      kind: 'info',
      subject: 'openfaas/gateway-1',
      node: 'lab-server',
      detail: 'Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 503 (x4)',
    });
    expect(warningEvent({ ...warning, type: 'Normal' }, clock)).toBeUndefined();
  });
});

describe('clock offsets', () => {
  it('uses the sample with the shortest round trip and says how far off it may be', () => {
    const offset = estimateOffset('n1', [
      { sentMs: 1000, receivedMs: 1100, remoteMs: 1300 }, // 100 ms round trip
      { sentMs: 2000, receivedMs: 2004, remoteMs: 2252 }, // 4 ms: best
      { sentMs: 3000, receivedMs: 3050, remoteMs: 3200 },
    ]);
    expect(offset).toEqual({ node: 'n1', offsetMs: 250, uncertaintyMs: 2, samples: 3 });
    expect(() => estimateOffset('n1', [])).toThrow(/no clock sample/);
  });
});

describe('small parsers', () => {
  it('reads Kubernetes quantities', () => {
    expect(parseQuantity('2029876Ki')).toBe(2029876 * 1024);
    expect(parseQuantity('250m')).toBe(0.25);
    expect(parseQuantity('2')).toBe(2);
    expect(parseQuantity('1500000n')).toBeCloseTo(0.0015, 12);
    expect(parseQuantity('2500u')).toBeCloseTo(0.0025, 12);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(() => parseQuantity('lots')).toThrow();
  });

  it('reads node roles from labels, falling back to the control plane', () => {
    const base = { status: { conditions: [{ type: 'Ready', status: 'True' }], capacity: { cpu: '2', memory: '4Gi' }, addresses: [{ type: 'InternalIP', address: '10.0.0.2' }] } };
    expect(describeNode({ metadata: { name: 'a', labels: { 'fogbench.io/role': 'worker', 'node-role.kubernetes.io/control-plane': 'true' } }, ...base }).role).toBe('worker');
    const kind = describeNode({ metadata: { name: 'kind-control-plane', labels: { 'node-role.kubernetes.io/control-plane': '' } }, ...base });
    expect(kind).toMatchObject({ role: 'core', ready: true, cpus: 2, memoryBytes: 4 * 2 ** 30, address: '10.0.0.2' });
  });

  it('splits log timestamps', () => {
    expect(splitTimestamp('2026-01-01T00:00:00.123456789Z {"a":1}')).toEqual({ at: '2026-01-01T00:00:00.123456789Z', text: '{"a":1}' });
    expect(splitTimestamp('no timestamp here')).toEqual({ at: null, text: 'no timestamp here' });
  });
});
