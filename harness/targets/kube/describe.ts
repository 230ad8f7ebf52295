/**
 * What the manifest says about a Kubernetes run (TargetDescription): the nodes (a local node's
 * quota rather than the whole host its kubelet reports), versions, where each pod really ran,
 * the images' registry, the replicas' sizes and the nodes' clock offsets.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterConfig } from '../../../clusters/config.ts';
import type { TargetDescription } from '../../results/schema.ts';
import type { ClockOffset } from './clock.ts';
import type { ImageDestination } from './images.ts';
import type { LocalClusterAccess } from './local-cluster.ts';
import type { ClusterNode } from './nodes.ts';

export interface KubeFacts {
  /** The prepared cluster; undefined before prepare(). */
  cluster: { kc: KubeConfig; serverVersion: string; nodes: ClusterNode[]; config: ClusterConfig; local: LocalClusterAccess | null } | undefined;
  namespace: string;
  /** Each pod's spec.nodeName, for p2p units and OpenFaaS functions, filled as systems are deployed. */
  observedPlacement: { units: Record<string, string>; functions: Record<string, string[]> };
  imageSource: string;
  imageDestination: ImageDestination | undefined;
  clockOffsets: ClockOffset[] | null;
  clockError: string | null;
}

export function describeKube(facts: KubeFacts): TargetDescription {
  const p = facts.cluster;
  const local = p?.local ?? null;
  const destination = facts.imageDestination;
  // A local node's capacity as the kubelet reports it is the whole host; its quota is what it has.
  const quota = (name: string) => local?.record.nodes.find((n) => n.name === name);
  return {
    kind: 'kube',
    nodes: (p?.nodes ?? []).map((n) => ({ name: n.name, role: n.role, cpus: quota(n.name)?.cpus ?? n.cpus, memoryBytes: quota(n.name)?.memoryBytes ?? n.memoryBytes, ...(n.address ? { address: n.address } : {}) })),
    shaping: local ? local.record.shaping : 'none: traffic crosses the real network between the cluster nodes; fogbench applies no shaping on Kubernetes',
    details: {
      server: p?.kc.getCurrentCluster()?.server ?? null,
      context: p?.kc.getCurrentContext() ?? null,
      kubernetesVersion: p?.serverVersion ?? null,
      nodeVersions: Object.fromEntries((p?.nodes ?? []).map((n) => [n.name, { kubelet: n.kubeletVersion, os: n.osImage }])),
      namespace: facts.namespace,
      placementPolicy:
        ((p?.nodes ?? []).filter((n) => n.role === 'worker' && n.ready).length >= 2
          ? 'p2p: worker service i on worker node i mod N, successive services on different nodes'
          : 'p2p: fewer than two worker nodes, so successive services may share a node and hops may not cross a network') +
        '; OpenFaaS: where the scheduler put each replica (CE ignores constraints), on the nodes open to any pod',
      observedPlacement: facts.observedPlacement,
      images: facts.imageSource,
      imageRegistry: destination ? `${destination.registry} (${destination.kind === 'cluster' ? "the cluster's own" : '--registry'})` : null,
      unitResources: p?.config.units ?? null,
      clockOffsets: facts.clockOffsets,
      clockOffsetError: facts.clockError,
      ...(local ? { localCluster: local.details() } : {}),
    },
  };
}
