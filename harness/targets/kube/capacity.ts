/**
 * Will the plan fit? Checked before anything is deployed, from what the scheduler itself
 * counts: each node's allocatable CPU and memory minus the requests of the pods already on it.
 * A pod that does not fit would stay Pending and the run would fail minutes later with
 * "unschedulable"; this says at once which node is short of what, and what to change.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { deployError } from '../../errors.ts';
import { parseQuantity } from './nodes.ts';

export interface Resources {
  /** CPU in cores. */
  cpu: number;
  memoryBytes: number;
}

export interface NodeRoom {
  name: string;
  allocatable: Resources;
  requested: Resources;
}

/** Requests of a pod as the scheduler counts them: the sum of its containers, or its largest init container, whichever is more. */
export function podRequests(pod: V1Pod): Resources {
  const of = (c: { resources?: { requests?: Record<string, string> } }): Resources => ({
    cpu: c.resources?.requests?.cpu ? parseQuantity(c.resources.requests.cpu) : 0,
    memoryBytes: c.resources?.requests?.memory ? parseQuantity(c.resources.requests.memory) : 0,
  });
  const sum = (pod.spec?.containers ?? []).map(of).reduce((a, b) => ({ cpu: a.cpu + b.cpu, memoryBytes: a.memoryBytes + b.memoryBytes }), { cpu: 0, memoryBytes: 0 });
  for (const init of (pod.spec?.initContainers ?? []).map(of)) {
    sum.cpu = Math.max(sum.cpu, init.cpu);
    sum.memoryBytes = Math.max(sum.memoryBytes, init.memoryBytes);
  }
  return sum;
}

/** Requests already placed on each node, from every pod that still holds its resources. */
export function requestedByNode(pods: readonly V1Pod[], exclude: (pod: V1Pod) => boolean = () => false): Map<string, Resources> {
  const byNode = new Map<string, Resources>();
  for (const pod of pods) {
    const node = pod.spec?.nodeName;
    const phase = pod.status?.phase;
    if (!node || phase === 'Succeeded' || phase === 'Failed' || exclude(pod)) continue;
    const r = podRequests(pod);
    const acc = byNode.get(node) ?? { cpu: 0, memoryBytes: 0 };
    byNode.set(node, { cpu: acc.cpu + r.cpu, memoryBytes: acc.memoryBytes + r.memoryBytes });
  }
  return byNode;
}

export interface FitRequest {
  /** What is being placed, for the message ("p2p unit get", "OpenFaaS replica"). */
  what: string;
  /** The node it must go on, or null to let the scheduler choose among `candidates`. */
  node: string | null;
  candidates: readonly string[];
  size: Resources;
}

const EPSILON = 1e-9;
const fmtCpu = (cores: number) => `${Math.round(cores * 1000)}m CPU`;
const fmtMem = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
const milli = (cores: number) => Math.max(0, Math.round(cores * 1000));
const mib = (bytes: number) => Math.max(0, Math.round(bytes / 2 ** 20));

/**
 * Places every request on a copy of the nodes' room: pinned ones on their node, the others on
 * the candidate with the most CPU left (as the scheduler's least-allocated scoring tends to).
 * Throws a deployError for the first one that fits nowhere.
 */
export function checkFit(nodes: readonly NodeRoom[], requests: readonly FitRequest[], advice: string): void {
  const free = new Map(nodes.map((n) => [n.name, { cpu: n.allocatable.cpu - n.requested.cpu, memoryBytes: n.allocatable.memoryBytes - n.requested.memoryBytes }]));
  const fits = (name: string, size: Resources) => {
    const f = free.get(name);
    return f !== undefined && f.cpu + EPSILON >= size.cpu && f.memoryBytes + EPSILON >= size.memoryBytes;
  };
  for (const request of requests) {
    const options = request.node ? [request.node] : [...request.candidates];
    const chosen = options.filter((n) => fits(n, request.size)).sort((a, b) => free.get(b)!.cpu - free.get(a)!.cpu)[0];
    if (!chosen) {
      const where = options
        .map((n) => {
          const f = free.get(n);
          const room = nodes.find((x) => x.name === n);
          return f && room ? `${n} has ${milli(f.cpu)}m of ${milli(room.allocatable.cpu)}m CPU and ${mib(f.memoryBytes)} of ${fmtMem(room.allocatable.memoryBytes)} free` : `${n} is not a Ready node`;
        })
        .join('; ');
      throw deployError(
        `the plan does not fit the cluster: ${request.what} requests ${fmtCpu(request.size.cpu)} and ${fmtMem(request.size.memoryBytes)}, but ${where || 'no node can take it'}; ${advice}`,
      );
    }
    const f = free.get(chosen)!;
    free.set(chosen, { cpu: f.cpu - request.size.cpu, memoryBytes: f.memoryBytes - request.size.memoryBytes });
  }
}
