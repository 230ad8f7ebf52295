import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOPOLOGY_FILE, applyOverrides, loadTopology, nodeCpuCount, parseTopology, workloadNodes } from '../../../harness/targets/local/topology.ts';
import { FogbenchError } from '../../../harness/errors.ts';

describe('fog topology', () => {
  it('scales the default t2.small topology to a 2-core host', async () => {
    const topology = await loadTopology(DEFAULT_TOPOLOGY_FILE, 2);
    // 5 reference vCPUs (core 2 + 3 workers) get 75% of 2 cores.
    expect(topology.scale).toBe(0.3);
    expect(topology.nodes.map((n) => [n.name, n.role, n.cpus])).toEqual([
      ['client', 'client', 0.5],
      ['core', 'core', 0.6],
      ['worker-1', 'worker', 0.3],
      ['worker-2', 'worker', 0.3],
      ['worker-3', 'worker', 0.3],
    ]);
    const worker = topology.nodes[2]!;
    expect(worker.memoryBytes).toBe(614 * 1024 * 1024);
    expect(worker.reference).toEqual({ vcpus: 1, memoryBytes: 2048 * 1024 * 1024 });
    expect(worker.link).toEqual({ bandwidthMbit: 100, latencyMs: 0, jitterMs: 0 });
  });

  it('ships a 5 ms-link variant that differs from the default only in its links', async () => {
    const base = await loadTopology(DEFAULT_TOPOLOGY_FILE, 2);
    const wan = await loadTopology(fileURLToPath(new URL('../../../clusters/local/fog-5ms.yaml', import.meta.url)), 2);
    expect(wan.nodes.map((n) => [n.name, n.cpus, n.memoryBytes])).toEqual(base.nodes.map((n) => [n.name, n.cpus, n.memoryBytes]));
    expect(wan.nodes.every((n) => n.link.latencyMs === 5 && n.link.bandwidthMbit === 100)).toBe(true);
  });

  it('keeps the same proportions on a bigger host', async () => {
    const topology = await loadTopology(DEFAULT_TOPOLOGY_FILE, 8);
    expect(topology.scale).toBe(1.2);
    expect(topology.nodes.find((n) => n.name === 'core')!.cpus).toBe(2.4);
  });

  it('lets a node override the default link and drops quotas on request', () => {
    const text = `
scale: 1
link: { bandwidthMbit: 50 }
nodes:
  - { name: client, role: client, cpus: 1, memoryMiB: 256 }
  - { name: core, role: core, vcpus: 2, referenceMemoryMiB: 1024 }
  - { name: w, role: worker, vcpus: 1, referenceMemoryMiB: 512, link: { bandwidthMbit: 10, latencyMs: 5, jitterMs: 1 } }
`;
    const topology = parseTopology(text, 'inline', 2);
    expect(topology.nodes.map((n) => n.link)).toEqual([
      { bandwidthMbit: 50, latencyMs: 0, jitterMs: 0 },
      { bandwidthMbit: 50, latencyMs: 0, jitterMs: 0 },
      { bandwidthMbit: 10, latencyMs: 5, jitterMs: 1 },
    ]);
    const bare = applyOverrides(topology, { noQuotas: true, link: { bandwidthMbit: null, latencyMs: 0 } });
    expect(bare.nodes.every((n) => n.cpus === null && n.memoryBytes === null && n.link.bandwidthMbit === null)).toBe(true);
  });

  it.each([
    ['nodes: []', '`nodes` must be a non-empty list'],
    ['nodes: [{ name: c, role: client }, { name: w, role: worker }]', 'needs exactly one core node'],
    ['nodes: [{ name: Bad_Name, role: client }]', 'nodes[0].name must match'],
    ['nodes: [{ name: c, role: boss }]', 'nodes[0].role must be client, core or worker'],
    ['nodes: [{ name: c, role: client, vcpus: 1 }]', 'give both vcpus and referenceMemoryMiB'],
    ['link: { latencyMs: -1 }\nnodes: [{ name: c, role: client }]', 'link.latencyMs must be'],
    ['link: { latencyMs: 1, jitterMs: 2 }\nnodes: [{ name: c, role: client }]', 'link.jitterMs must not exceed latencyMs'],
    ['nodes: [{ name: links, role: client }]', '"links" is reserved'],
  ])('rejects %j with a usage error naming the key', (text, message) => {
    let caught: unknown;
    try {
      parseTopology(text, 'bad.yaml', 2);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FogbenchError);
    expect((caught as FogbenchError).code).toBe('usage');
    expect((caught as FogbenchError).message).toContain(message);
    expect((caught as FogbenchError).message).toContain('bad.yaml');
  });

  const node = (fields: string) => `
nodes:
  - { name: client, role: client, cpus: 0.5, memoryMiB: 256 }
  - { name: core, role: core, vcpus: 2, referenceMemoryMiB: 1024 }
  - { name: worker-1, role: worker, ${fields} }
`;

  it.each([
    [node('cpus: 1, memoryMiB: 1e-7'), 'node worker-1 (nodes[2]): memoryMiB 1e-7 is outside 16 to 16777216 MiB'],
    [node('cpus: 1e300, memoryMiB: 512'), 'node worker-1 (nodes[2]): cpus 1e+300 is outside 0.01 to 1024 CPUs'],
    [node('cpus: 1, memoryMiB: .inf'), 'node worker-1 (nodes[2]): memoryMiB must be a number of MiB'],
    [node('cpus: "2", memoryMiB: 512'), 'node worker-1 (nodes[2]): cpus must be a number of CPUs, not "2"'],
    [`scale: 1e308\n${node('vcpus: 1, referenceMemoryMiB: 2048')}`, '`scale` must be "auto" or a number from 0.001 to 1000, not 1e+308'],
    [`scale: 600\n${node('vcpus: 1, referenceMemoryMiB: 2048')}`, 'node core (nodes[1]): vcpus 2 × scale 600 = 1200 CPUs, outside 0.01 to 1024'],
    [`scale: 0.001\n${node('vcpus: 1, referenceMemoryMiB: 2048')}`, 'node core (nodes[1]): vcpus 2 × scale 0.001 = 0.002 CPUs, outside 0.01 to 1024'],
    [node('cpus: 1, memoryMiB: 512, link: { bandwidthMbit: 1e12 }'), 'node worker-1 (nodes[2]): link.bandwidthMbit must be null (unlimited) or a number from 0.01 to 100000'],
  ])('bounds quotas, scale and links, naming the file and node (%#)', (text, message) => {
    let caught: unknown;
    try {
      parseTopology(text, 'sizes.yaml', 2);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FogbenchError);
    expect((caught as FogbenchError).message).toMatch(/^fog topology sizes\.yaml: /);
    expect((caught as FogbenchError).message).toContain(message);
  });
});

describe('nodeCpuCount (GOMAXPROCS of a node\'s pods)', () => {
  it('is the vCPUs of the machine the node stands for, not the host\'s cores under its quota', async () => {
    const topology = await loadTopology(DEFAULT_TOPOLOGY_FILE, 2);
    const count = Object.fromEntries(topology.nodes.map((n) => [n.name, nodeCpuCount(n, 2)]));
    // t2.small workers: 1 vCPU (quota 0.3 core on a 2-core host); the core node: 2 vCPUs.
    expect(count).toMatchObject({ core: 2, 'worker-1': 1, 'worker-2': 1, 'worker-3': 1 });
  });

  it('rounds a quota given as is up, never above the host or below one', () => {
    expect(nodeCpuCount({ cpus: 0.5, reference: null }, 2)).toBe(1);
    expect(nodeCpuCount({ cpus: 1.5, reference: null }, 8)).toBe(2);
    expect(nodeCpuCount({ cpus: null, reference: null }, 4)).toBe(4);
    expect(nodeCpuCount({ cpus: 0.3, reference: { vcpus: 8, memoryBytes: 1 } }, 2)).toBe(2);
  });
});

describe('a core node that runs workloads (the paper\'s master)', () => {
  it('comes first in the placement cycle, so successive services land on successive nodes', async () => {
    const paper = await loadTopology(fileURLToPath(new URL('../../../clusters/local/paper.yaml', import.meta.url)), 2);
    expect(workloadNodes(paper).map((n) => n.name)).toEqual(['master', 'worker-1', 'worker-2']);
    // 1 vCPU each, 75 % of two cores over three: 0.5 core; the master's 5 GiB scaled alike.
    expect(paper.nodes.map((n) => [n.name, n.cpus, n.memoryBytes! / 2 ** 20])).toEqual([
      ['client', 0.5, 1024],
      ['master', 0.5, 2560],
      ['worker-1', 0.5, 1024],
      ['worker-2', 0.5, 1024],
    ]);
    const fog = await loadTopology(DEFAULT_TOPOLOGY_FILE, 2);
    expect(workloadNodes(fog).map((n) => n.name)).toEqual(['worker-1', 'worker-2', 'worker-3']);
  });

  it('is refused on any other role', () => {
    const text = 'nodes:\n  - {name: client, role: client, cpus: 1, memoryMiB: 64}\n  - {name: core, role: core, cpus: 1, memoryMiB: 64}\n  - {name: w, role: worker, cpus: 1, memoryMiB: 64, runsWorkloads: true}\n';
    expect(() => parseTopology(text, 't.yaml', 2)).toThrow(/nodes\[2\]\.runsWorkloads: only the core node may also run workloads/);
  });
});
