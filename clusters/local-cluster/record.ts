/**
 * What the state file keeps of a local cluster (ClusterState.local): enough for `cluster down`
 * and `status`, and for the kube target to run the load generator on the client node, read the
 * node quotas and link shaping into the manifest, and size units as the nodes are sized.
 */
import type { LinkSpec } from '../../harness/targets/local/topology.ts';

export interface LocalNodeRecord {
  name: string;
  role: 'core' | 'worker';
  address: string;
  podCidr: string;
  cpus: number | null;
  memoryBytes: number | null;
  reference: { vcpus: number; memoryBytes: number } | null;
  link: LinkSpec;
  /** The node's quota group, relative to each cgroup hierarchy. */
  cgroup: string;
  netns: string;
}

export interface LocalClusterRecord {
  /** fbf<tag>: prefix of every kernel object, and the owner record's name. */
  root: string;
  tag: string;
  /** Where the owner record is (default /run/fogbench). */
  ownerDir: string | null;
  kubernetesVersion: string;
  topology: { source: string; scale: number };
  hostAddress: string;
  apiServer: string;
  registry: string;
  fogSubnet: string;
  clusterCidr: string;
  serviceCidr: string;
  /** One sentence per link setting, as fog's manifest says it. */
  shaping: string;
  nodes: LocalNodeRecord[];
  client: Omit<LocalNodeRecord, 'role' | 'podCidr' | 'reference'> & { role: 'client' };
  cgroupVersion: 1 | 2;
  /** cgroup controller folders (cpu, cpuacct, memory; or unified). */
  cgroupMounts: Record<string, string>;
  /** Seconds from the daemon's start until every node was Ready. */
  readySeconds: number | null;
}
