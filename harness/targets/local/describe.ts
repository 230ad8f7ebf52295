/**
 * What the manifest says about the fog (TargetDescription): nodes with their real quotas,
 * address ranges and link settings, the shaping sentence, and how the quotas were derived.
 */
import type { TargetDescription } from '../../results/schema.ts';
import { nodeRange, hostAddress, PREFIX_LENGTH, toDotted, blockBase } from './addresses.ts';
import type { CgroupDriver } from './cgroups.ts';
import { describeShaping, tbfBurstBytes, type DelayMethod } from './shaping.ts';
import { nodeCpuCount, workloadNodes, type LinkSpec, type Topology } from './topology.ts';

export interface FogFacts {
  topology: Topology;
  block: number;
  delay: DelayMethod;
  hostCpus: number;
  cgroups: Pick<CgroupDriver, 'version' | 'mounts'> | null;
  objectPrefix: string;
}

export function describeFog(facts: FogFacts): TargetDescription {
  const { topology, block, delay } = facts;
  return {
    kind: 'fog',
    nodes: topology.nodes.map((node, index) => ({
      name: node.name,
      role: node.role,
      cpus: node.cpus,
      memoryBytes: node.memoryBytes,
      address: nodeRange(block, index),
      link: { ...node.link, ...(node.link.bandwidthMbit === null ? {} : { burstBytes: tbfBurstBytes(node.link.bandwidthMbit) }), shaping: linkMethods(node.link, delay) },
    })),
    shaping: describeShaping(
      topology.nodes.map((n) => ({ node: n.name, link: n.link })),
      delay,
    ),
    details: {
      topologyFile: topology.source,
      scale: topology.scale,
      scaleMeaning: 'quota = reference machine size x scale for nodes with a reference; other quotas are given as is',
      // Where functions and services go, in placement order (successive services on successive nodes).
      workloadNodes: workloadNodes(topology).map((n) => n.name),
      reference: Object.fromEntries(topology.nodes.filter((n) => n.reference !== null).map((n) => [n.name, n.reference])),
      hostCpus: facts.hostCpus,
      cgroupVersion: facts.cgroups?.version ?? null,
      cgroupMounts: facts.cgroups?.mounts ?? null,
      cpuQuotaPeriodUs: 100_000,
      subnet: `${toDotted(blockBase(block))}/${PREFIX_LENGTH}`,
      hostAddress: hostAddress(block),
      objectPrefix: facts.objectPrefix,
      // GOMAXPROCS of every system pod on the node (topology.ts nodeCpuCount); the client pod keeps Go's own.
      goMaxProcs: Object.fromEntries(topology.nodes.filter((n) => n.role !== 'client').map((n) => [n.name, nodeCpuCount(n, facts.hostCpus)])),
    },
  };
}

/** How one link is shaped, e.g. "tbf+relay". */
function linkMethods(link: LinkSpec, delay: DelayMethod): string {
  const methods = [link.bandwidthMbit === null ? null : 'tbf', link.latencyMs > 0 ? delay : null].filter((m) => m !== null);
  return methods.length === 0 ? 'none' : methods.join('+');
}
