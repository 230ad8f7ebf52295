/**
 * The kube target's check before it deploys: do the p2p units, or so many OpenFaaS function
 * replicas, fit the Ready nodes' allocatable room beside the pods already there? Reads the
 * nodes and pods from the cluster; capacity.ts does the arithmetic and words the refusal.
 */
import type { CoreV1Api, KubeConfig, V1Pod } from '@kubernetes/client-node';
import type { ClusterConfig } from '../../../clusters/config.ts';
import type { UnitSpec } from '../target.ts';
import { checkFit, requestedByNode, type FitRequest, type NodeRoom, type Resources } from './capacity.ts';
import { kubeName, UNIT_LABEL } from './manifests.ts';
import { listClusterNodes, parseQuantity, type ClusterNode } from './nodes.ts';

export interface FitContext {
  kc: KubeConfig;
  core: CoreV1Api;
  /** Replicas' requests and limits (clusters/sizes.yaml `units`). */
  config: ClusterConfig;
}

const SIZING_ADVICE = 'lower units.cpuRequest / units.memoryRequestMiB in clusters/sizes.yaml (pass it with --config to `cluster up`), add agents, or deploy fewer replicas';

/** Each Ready node's allocatable resources and what its pods already request. */
async function nodeRooms(ctx: FitContext, exclude: (pod: V1Pod) => boolean = () => false): Promise<{ rooms: NodeRoom[]; nodes: ClusterNode[] }> {
  const nodes = (await listClusterNodes(ctx.kc)).filter((n) => n.ready);
  const pods = (await ctx.core.listPodForAllNamespaces({ fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' })).items;
  const used = requestedByNode(pods, exclude);
  const rooms = nodes.map((n) => ({
    name: n.name,
    allocatable: { cpu: n.allocatableCpus ?? 0, memoryBytes: n.allocatableMemoryBytes ?? 0 },
    requested: used.get(n.name) ?? { cpu: 0, memoryBytes: 0 },
  }));
  return { rooms, nodes };
}

function replicaSize(ctx: FitContext, memoryLimitBytes?: number): Resources {
  const units = ctx.config.units;
  const limit = memoryLimitBytes ?? units.memoryLimitMiB * 2 ** 20;
  return { cpu: parseQuantity(units.cpuRequest), memoryBytes: Math.min(units.memoryRequestMiB * 2 ** 20, limit) };
}

/** Pinned units on their node, the others among their role's nodes; pods of these same units are being replaced, so not counted. */
export async function checkUnitsFit(
  ctx: FitContext,
  namespace: string,
  units: readonly UnitSpec[],
  placements: ReadonlyMap<string, { role: 'core' | 'worker' | null; node: string | null }>,
): Promise<void> {
  const names = new Set(units.map((u) => kubeName(u.name)));
  const { rooms, nodes } = await nodeRooms(ctx, (pod) => pod.metadata?.namespace === namespace && names.has(pod.metadata?.labels?.[UNIT_LABEL] ?? ''));
  const requests: FitRequest[] = units.map((unit) => {
    const placement = placements.get(unit.name);
    const candidates = nodes.filter((n) => (placement?.role ? n.role === placement.role : n.openToAnyPod)).map((n) => n.name);
    return { what: `p2p unit ${unit.name}`, node: placement?.node ?? null, candidates, size: replicaSize(ctx, unit.memoryLimitBytes) };
  });
  checkFit(rooms, requests, SIZING_ADVICE);
}

/** Fails when `replicas` (at least one) more function replicas cannot be scheduled on the nodes open to them. */
export async function checkFunctionsFit(ctx: FitContext, replicas: number): Promise<void> {
  const { rooms, nodes } = await nodeRooms(ctx);
  // Function pods carry no toleration and no selector (CE): only nodes open to any pod take them.
  const candidates = nodes.filter((n) => n.openToAnyPod).map((n) => n.name);
  const size = replicaSize(ctx);
  const requests: FitRequest[] = Array.from({ length: replicas }, (_, i) => ({ what: `OpenFaaS function replica ${i + 1} of ${replicas}`, node: null, candidates, size }));
  checkFit(rooms, requests, SIZING_ADVICE);
}
