/**
 * What `cluster up --provider local` builds, decided before anything starts: the fog topology's
 * nodes as Kubernetes nodes on this host. Pure, so the configuration renderers and the tests
 * see the same plan.
 *
 * Addresses come from the RFC 2544 range as on fog (harness/targets/local/addresses.ts), two
 * /20 blocks per cluster: the fog block holds the switch (the host's .1, where the API server
 * listens) and one /24 per node whose .10 is the node's own address (its network namespace,
 * the "VM"); the pod block gives node k the pod subnet block + k*256 /24, and its last /24 is
 * the Service range. Nothing outside 198.18.0.0/15 is ever used, so no packet of the cluster
 * can be routed off the host.
 */
import { usageError } from '../../harness/errors.ts';
import { blockBase, hostAddress, MAX_NODES, podAddress, PREFIX_LENGTH, toDotted } from '../../harness/targets/local/addresses.ts';
import type { FogNodeSpec, LinkSpec, Topology } from '../../harness/targets/local/topology.ts';

export const API_SERVER_PORT = 6443;
export const REGISTRY_PORT = 5000;
export const CLUSTER_DOMAIN = 'cluster.local';
/** The /24 of the pod block that holds Service addresses (node pod subnets take 0..MAX_NODES-1). */
const SERVICE_SLOT = 15;

export interface LocalNodePlan {
  /** Kubernetes node name: the topology's name. */
  name: string;
  role: 'core' | 'worker';
  /** Position in the topology (link names, address slots). */
  index: number;
  /** The node's own address on the fog (its kubelet, kube-proxy, NodePorts). */
  address: string;
  /** The node's pod subnet. */
  podCidr: string;
  /** Real quotas on this host (null: not limited). */
  cpus: number | null;
  memoryBytes: number | null;
  reference: FogNodeSpec['reference'];
  link: LinkSpec;
}

export interface LocalClusterPlan {
  cluster: string;
  topology: Topology;
  fogBlock: number;
  podBlock: number;
  /** The host's address on the fog switch: API server and nothing else listens here. */
  hostAddress: string;
  /** The switch subnet (node addresses). */
  fogSubnet: string;
  /** Every pod subnet together (kube-proxy's cluster CIDR). */
  clusterCidr: string;
  serviceCidr: string;
  /** The `kubernetes` Service's address: the first of the range. */
  apiServiceIp: string;
  dnsServiceIp: string;
  /** An address of the pod block held by the host, so that no other fog run picks the block. */
  podBlockMarker: string;
  apiServer: string;
  /** host:port of the cluster's image registry, on the core node. */
  registry: string;
  nodes: LocalNodePlan[];
  /** The load generator's node: a namespace and a quota, no kubelet (as on fog). */
  client: { name: string; index: number; address: string; cpus: number | null; memoryBytes: number | null; link: LinkSpec };
}

const CLUSTER_NAME = /^[a-z][a-z0-9-]{0,20}$/;

export function planLocalCluster(options: { cluster: string; topology: Topology; fogBlock: number; podBlock: number }): LocalClusterPlan {
  const { cluster, topology, fogBlock, podBlock } = options;
  if (!CLUSTER_NAME.test(cluster)) {
    throw usageError(`cluster name "${cluster}" must start with a letter and hold at most 21 lower-case letters, digits or dashes`);
  }
  if (fogBlock === podBlock) throw new Error('the fog and pod blocks must differ');
  if (topology.nodes.length > MAX_NODES) throw usageError(`a local cluster holds at most ${MAX_NODES} nodes; ${topology.source} has ${topology.nodes.length}`);
  const podBase = blockBase(podBlock);
  const nodes: LocalNodePlan[] = [];
  let client: LocalClusterPlan['client'] | null = null;
  for (const [index, node] of topology.nodes.entries()) {
    if (node.name === 'control-plane') throw usageError(`fog topology ${topology.source}: a local cluster keeps its control plane's cgroup under the name "control-plane"; rename that node`);
    const address = podAddress(fogBlock, index, 0);
    if (node.role === 'client') {
      client = { name: node.name, index, address, cpus: node.cpus, memoryBytes: node.memoryBytes, link: node.link };
      continue;
    }
    nodes.push({
      name: node.name,
      role: node.role,
      index,
      address,
      podCidr: `${toDotted(podBase + index * 256)}/24`,
      cpus: node.cpus,
      memoryBytes: node.memoryBytes,
      reference: node.reference,
      link: node.link,
    });
  }
  if (client === null) throw usageError(`fog topology ${topology.source} needs a client node (the load generator's)`);
  const core = nodes.find((n) => n.role === 'core');
  if (!core) throw usageError(`fog topology ${topology.source} needs a core node`);
  const serviceBase = podBase + SERVICE_SLOT * 256;
  const host = hostAddress(fogBlock);
  return {
    cluster,
    topology,
    fogBlock,
    podBlock,
    hostAddress: host,
    fogSubnet: `${toDotted(blockBase(fogBlock))}/${PREFIX_LENGTH}`,
    clusterCidr: `${toDotted(podBase)}/${PREFIX_LENGTH}`,
    serviceCidr: `${toDotted(serviceBase)}/24`,
    apiServiceIp: toDotted(serviceBase + 1),
    dnsServiceIp: toDotted(serviceBase + 10),
    // The broadcast address of the Service /24: never handed to a Service.
    podBlockMarker: toDotted(serviceBase + 255),
    apiServer: `https://${host}:${API_SERVER_PORT}`,
    registry: `${core.address}:${REGISTRY_PORT}`,
    nodes,
    client,
  };
}

/** The kubelet's hard eviction threshold for memory; it too comes off allocatable. */
export const EVICTION_MEMORY_MIB = 50;

/**
 * What the kubelet must hold back (systemReserved) so that the node's allocatable resources
 * are its quota: the kubelet sees the whole host (its CPUs, its memory) as the node's capacity,
 * and allocatable = capacity - reserved - the memory eviction threshold.
 */
export function reservedForQuota(node: Pick<LocalNodePlan, 'cpus' | 'memoryBytes'>, host: { cpus: number; memoryBytes: number }): { cpu: string; memory: string } | null {
  if (node.cpus === null && node.memoryBytes === null) return null;
  const cpuMilli = node.cpus === null ? 0 : Math.max(0, Math.round(host.cpus * 1000) - Math.round(node.cpus * 1000));
  const memoryKi = node.memoryBytes === null ? 0 : Math.max(0, Math.floor(host.memoryBytes / 1024) - Math.floor(node.memoryBytes / 1024) - EVICTION_MEMORY_MIB * 1024);
  return { cpu: `${cpuMilli}m`, memory: `${memoryKi}Ki` };
}
