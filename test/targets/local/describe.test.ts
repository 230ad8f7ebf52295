import { describe, expect, it } from 'vitest';
import { describeFog } from '../../../harness/targets/local/describe.ts';
import { DEFAULT_TOPOLOGY_FILE, loadTopology } from '../../../harness/targets/local/topology.ts';

describe('fog description for the manifest', () => {
  it('carries nodes, real quotas, scale, address ranges and the shaping applied', async () => {
    const topology = await loadTopology(DEFAULT_TOPOLOGY_FILE, 2);
    const description = describeFog({
      topology,
      block: 1,
      delay: 'none',
      hostCpus: 2,
      cgroups: { version: 1, mounts: { cpu: '/sys/fs/cgroup/cpu' } },
      objectPrefix: 'fbfabcd',
    });
    expect(description.kind).toBe('fog');
    expect(description.nodes[2]).toEqual({
      name: 'worker-1',
      role: 'worker',
      cpus: 0.3,
      memoryBytes: 614 * 1024 * 1024,
      address: '198.18.19.0/24',
      link: { bandwidthMbit: 100, latencyMs: 0, jitterMs: 0, burstBytes: 62_500, shaping: 'tbf' },
    });
    expect(description.details).toMatchObject({
      scale: 0.3,
      hostCpus: 2,
      subnet: '198.18.16.0/20',
      hostAddress: '198.18.16.1',
      cgroupVersion: 1,
      reference: { 'worker-1': { vcpus: 1, memoryBytes: 2048 * 1024 * 1024 } },
    });
    expect(description.shaping).toContain('client, core, worker-1, worker-2, worker-3: tbf 100 mbit/s and no added latency');
  });

  it('names the delay method of each delayed link', async () => {
    const topology = await loadTopology(DEFAULT_TOPOLOGY_FILE, 2, { link: { latencyMs: 5 } });
    const description = describeFog({ topology, block: 0, delay: 'relay', hostCpus: 2, cgroups: null, objectPrefix: 'fbfabcd' });
    expect(description.nodes.every((n) => n.link?.shaping === 'tbf+relay')).toBe(true);
    expect(description.shaping).toContain('5 ms delay by the fogbench-link-delay relay');
  });
});
