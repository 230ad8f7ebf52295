/**
 * Node clock offsets. Spans carry wall-clock times from the node that wrote them; before gaps
 * between services on different nodes are computed, each node's offset from the host is
 * estimated the NTP way (remote time minus the midpoint of the request) through a tiny probe
 * pod pinned to that node, keeping the sample with the shortest round trip.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { MANAGED_BY } from './manifests.ts';

export interface ClockSample {
  sentMs: number;
  receivedMs: number;
  remoteMs: number;
}

export interface ClockOffset {
  node: string;
  /** Node clock minus host clock, ms; subtract it from a node's timestamps to get host time. */
  offsetMs: number;
  /** Half the round trip of the sample used: the offset is right within ± this. */
  uncertaintyMs: number;
  samples: number;
}

export function estimateOffset(node: string, samples: readonly ClockSample[]): ClockOffset {
  if (samples.length === 0) throw new Error(`no clock sample from ${node}`);
  const best = samples.reduce((a, b) => (b.receivedMs - b.sentMs < a.receivedMs - a.sentMs ? b : a));
  const rtt = best.receivedMs - best.sentMs;
  return {
    node,
    offsetMs: round3(best.remoteMs - (best.sentMs + rtt / 2)),
    uncertaintyMs: round3(rtt / 2),
    samples: samples.length,
  };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export const CLOCK_PROBE_PORT = 8125;

/** Answers every request with the node's clock in ms (sub-ms from performance.now()). */
export const CLOCK_PROBE_SCRIPT =
  "require('http').createServer((q,s)=>{s.end(JSON.stringify({now:performance.timeOrigin+performance.now()}))})" +
  `.listen(${CLOCK_PROBE_PORT})`;

export function clockProbePod(node: string, namespace: string, image: string): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: clockProbeName(node),
      namespace,
      labels: { ...MANAGED_BY, 'fogbench.io/clock-probe': 'true' },
    },
    spec: {
      nodeName: node,
      // Placed by name on every node, the tainted K3s server included (a NoExecute taint would
      // otherwise have the pod evicted at once).
      tolerations: [{ operator: 'Exists' }],
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      enableServiceLinks: false,
      containers: [
        {
          name: 'clock',
          image,
          imagePullPolicy: 'IfNotPresent',
          command: ['node', '-e', CLOCK_PROBE_SCRIPT],
          ports: [{ containerPort: CLOCK_PROBE_PORT, protocol: 'TCP' }],
          readinessProbe: { tcpSocket: { port: CLOCK_PROBE_PORT }, periodSeconds: 1 },
          resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } },
        },
      ],
    },
  };
}

export function clockProbeName(node: string): string {
  const safe = node.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '');
  return `fogbench-clock-${safe}`.slice(0, 63).replace(/-+$/, '');
}
