/**
 * The local cluster's plan: addresses inside 198.18.0.0/15 only, one pod subnet per node,
 * Services in a range of their own, the client kept out of Kubernetes, and the kubelet's
 * reservation that makes a node's allocatable resources its quota.
 */
import { describe, expect, it } from 'vitest';
import { planLocalCluster, reservedForQuota, EVICTION_MEMORY_MIB } from '../../../clusters/local-cluster/plan.ts';
import { parseTopology } from '../../../harness/targets/local/topology.ts';
import { FogbenchError } from '../../../harness/errors.ts';

const FOG = `
scale: auto
systemShare: 0.75
nodes:
  - { name: client, role: client, cpus: 0.5, memoryMiB: 1024 }
  - { name: core, role: core, vcpus: 2, referenceMemoryMiB: 4096 }
  - { name: worker-1, role: worker, vcpus: 1, referenceMemoryMiB: 2048 }
  - { name: worker-2, role: worker, vcpus: 1, referenceMemoryMiB: 2048 }
link: { bandwidthMbit: 100 }
`;

const inBenchmarkRange = (address: string) => /^198\.(18|19)\./.test(address);

describe('local cluster plan', () => {
  const plan = planLocalCluster({ cluster: 'lab', topology: parseTopology(FOG, 'fog.yaml', 2), fogBlock: 3, podBlock: 4 });

  it('makes Kubernetes nodes of the core and workers, and keeps the client for the load generator', () => {
    expect(plan.nodes.map((n) => `${n.name}:${n.role}`)).toEqual(['core:core', 'worker-1:worker', 'worker-2:worker']);
    expect(plan.client.name).toBe('client');
    // Quotas as fog computes them: 0.75 x 2 cores / 4 reference vCPUs = 0.375.
    expect(plan.nodes.find((n) => n.name === 'worker-1')?.cpus).toBe(0.375);
  });

  it('puts every address in the benchmarking range, pods and Services apart from the nodes', () => {
    const all = [plan.hostAddress, plan.apiServiceIp, plan.dnsServiceIp, plan.podBlockMarker, plan.client.address, ...plan.nodes.flatMap((n) => [n.address, n.podCidr.split('/')[0]!])];
    expect(all.every(inBenchmarkRange)).toBe(true);
    expect(plan.apiServer).toBe(`https://${plan.hostAddress}:6443`);
    expect(new Set(plan.nodes.map((n) => n.podCidr)).size).toBe(plan.nodes.length);
    expect(plan.nodes.every((n) => n.podCidr.endsWith('/24'))).toBe(true);
    expect(plan.serviceCidr.endsWith('/24')).toBe(true);
    expect(plan.nodes.some((n) => n.podCidr === plan.serviceCidr)).toBe(false);
    expect(plan.registry).toBe(`${plan.nodes[0]!.address}:5000`);
  });

  it('holds back what makes allocatable the quota, the eviction threshold included', () => {
    const host = { cpus: 2, memoryBytes: 24 * 2 ** 30 };
    const reserved = reservedForQuota({ cpus: 0.3, memoryBytes: 614 * 2 ** 20 }, host)!;
    expect(reserved.cpu).toBe('1700m');
    expect(reserved.memory).toBe(`${24 * 2 ** 20 - 614 * 1024 - EVICTION_MEMORY_MIB * 1024}Ki`);
    expect(reservedForQuota({ cpus: null, memoryBytes: null }, host)).toBeNull();
  });

  it('refuses a node named like the control plane cgroup, and a topology without a client', () => {
    const clash = FOG.replace('name: worker-2', 'name: control-plane');
    expect(() => planLocalCluster({ cluster: 'lab', topology: parseTopology(clash, 'fog.yaml', 2), fogBlock: 3, podBlock: 4 })).toThrow(FogbenchError);
    expect(() => planLocalCluster({ cluster: 'Lab!', topology: parseTopology(FOG, 'fog.yaml', 2), fogBlock: 3, podBlock: 4 })).toThrow(/cluster name/);
  });
});
